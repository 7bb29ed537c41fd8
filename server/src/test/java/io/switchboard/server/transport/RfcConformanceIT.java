package io.switchboard.server.transport;

import static io.switchboard.server.testing.RawWebSocket.BINARY;
import static io.switchboard.server.testing.RawWebSocket.CLOSE;
import static io.switchboard.server.testing.RawWebSocket.CONTINUATION;
import static io.switchboard.server.testing.RawWebSocket.PING;
import static io.switchboard.server.testing.RawWebSocket.PONG;
import static io.switchboard.server.testing.RawWebSocket.TEXT;
import static io.switchboard.server.testing.RawWebSocket.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.LogCapture;
import io.switchboard.server.testing.RawWebSocket;
import io.switchboard.server.testing.RawWebSocket.Frame;
import io.switchboard.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The project's own RFC 6455 conformance run, over real sockets with raw frames: handshake variants,
 * framing, fragmentation, control frames, close codes and UTF-8 (each case on a fresh connection, each
 * answered as the RFC says), then a few thousand randomised hostile JSON frames on live connections.
 * Nothing may crash, every frame must be answered or end in a documented close, and nothing may be
 * logged at WARN or above or with a stack trace. Prints its figures; docs/security.md quotes them.
 *
 * <p>{@code ./mvnw verify -pl server -am -Dit.test=RfcConformanceIT -Dsurefire.failIfNoSpecifiedTests=false
 * -Dconformance.fuzz=3000 -Dconformance.seed=6455}
 */
class RfcConformanceIT {

    private static final byte[] NO_BYTES = {};
    private static final Map<String, String> NO_CHANGES = Map.of();

    /** One case: its name and what it does; it throws AssertionError when the node answers otherwise. */
    private record Case(String group, String name, Check check) {
    }

    @FunctionalInterface
    private interface Check {
        void run(int port) throws Exception;
    }

    private final List<Case> cases = new ArrayList<>();

    private void add(String group, String name, Check check) {
        cases.add(new Case(group, name, check));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String ping(String id) {
        return "{\"v\":1,\"type\":\"ping\",\"id\":\"" + id + "\"}";
    }

    /** A ping command padded with JSON whitespace to exactly {@code size} bytes. */
    private static byte[] pingOfSize(String id, int size) {
        String head = "{\"v\":1,\"type\":\"ping\",\"id\":\"" + id + "\"";
        return utf8(head + " ".repeat(size - head.length() - 1) + "}");
    }

    /** Every frame the server sends must be unmasked with no reserved bits (RFC 6455 5.1, 5.2). */
    private static List<Frame> read(RawWebSocket ws, java.util.function.Predicate<Frame> stop) throws Exception {
        List<Frame> got = ws.readUntil(stop);
        for (Frame f : got) {
            assertThat(f.masked()).as("server frame masked: %s", f).isFalse();
            assertThat(f.rsv()).as("server frame with reserved bits: %s", f).isZero();
        }
        return got;
    }

    /** Opens, skips the welcome, sends {@code frames} in one write, and expects the reply to {@code id}. */
    private static Check answers(String id, byte[]... frames) {
        return port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                read(ws, f -> f.opcode() == TEXT && f.text().contains("welcome"));
                ws.send(frames);
                List<Frame> got = read(ws, f -> f.opcode() == TEXT && f.text().contains("\"id\":\"" + id + "\""));
                assertThat(got).as("no reply to %s", id).isNotEmpty();
                assertThat(got.get(got.size() - 1).opcode()).as("%s", got).isEqualTo(TEXT);
            }
        };
    }

    /** Opens, sends {@code frames}, and expects the server's close frame with {@code code} (and no reply). */
    private static Check closes(int code, byte[]... frames) {
        return port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                read(ws, f -> f.opcode() == TEXT && f.text().contains("welcome"));
                ws.send(frames);
                List<Frame> got = read(ws, f -> false);
                assertThat(got).as("nothing came back").isNotEmpty();
                Frame last = got.get(got.size() - 1);
                assertThat(last.opcode()).as("%s", got).isEqualTo(CLOSE);
                assertThat(last.closeCode()).as("%s", got).isEqualTo(code);
                assertThat(got).as("a command ran: %s", got).noneMatch(f -> f.opcode() == TEXT && f.text().contains("\"pong\""));
            }
        };
    }

    /** The handshake answer to a version-13 request changed by {@code changes}. */
    private static Check handshake(Map<String, String> changes, int status, String header, String value) {
        return port -> {
            try (RawWebSocket ws = RawWebSocket.request(port, RawWebSocket.upgradeRequest(port, changes))) {
                assertThat(ws.handshake.status()).as("%s", ws.handshake).isEqualTo(status);
                if (header != null) {
                    assertThat(ws.handshake.headers().get(header)).as("%s", ws.handshake).isEqualTo(value);
                }
                assertThat(ws.handshake.body().toLowerCase(java.util.Locale.ROOT)).doesNotContain("netty");
                if (status != 101) {
                    assertThat(ws.serverClosesSocket()).as("connection closed after %d", status).isTrue();
                }
            }
        };
    }

    private static Map<String, String> without(String header) {
        Map<String, String> m = new HashMap<>();
        m.put(header, null);
        return m;
    }

    private static byte[][] bytewise(byte[] message) {
        byte[][] out = new byte[message.length][];
        for (int i = 0; i < message.length; i++) {
            out[i] = frame(i == message.length - 1, 0, i == 0 ? TEXT : CONTINUATION, true, new byte[] {message[i]});
        }
        return out;
    }

    private void handshakeCases() {
        add("handshake", "version 13", handshake(NO_CHANGES, 101, "sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        add("handshake", "mixed-case Upgrade, Connection list", handshake(Map.of("Upgrade", "WebSocket",
                "Connection", "keep-alive, Upgrade"), 101, "upgrade", "websocket"));
        add("handshake", "permessage-deflate offered, not negotiated", handshake(Map.of("Sec-WebSocket-Extensions",
                "permessage-deflate; client_max_window_bits"), 101, "sec-websocket-extensions", null));
        for (String v : new String[] {"0", "4", "7", "8", "12", "14", "255", "abc"}) {
            add("handshake", "version " + v, handshake(Map.of("Sec-WebSocket-Version", v), 426, "sec-websocket-version", "13"));
        }
        add("handshake", "no version (Hixie-75)", handshake(without("Sec-WebSocket-Version"), 426, "sec-websocket-version", "13"));
        add("handshake", "Hixie-76", port -> {
            String hixie76 = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
                    + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U";
            try (RawWebSocket ws = RawWebSocket.request(port, hixie76)) {
                assertThat(ws.handshake.status()).isEqualTo(426);
                assertThat(ws.handshake.headers()).containsEntry("sec-websocket-version", "13");
                assertThat(ws.serverClosesSocket()).isTrue();
            }
        });
        add("handshake", "no key", handshake(without("Sec-WebSocket-Key"), 400, null, null));
        add("handshake", "short key", handshake(Map.of("Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4P"), 400, null, null));
        add("handshake", "long key", handshake(Map.of("Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4PEBES"), 400, null, null));
        add("handshake", "key not base64", handshake(Map.of("Sec-WebSocket-Key", "########################"), 400, null, null));
        add("handshake", "no Host", handshake(without("Host"), 400, null, null));
        add("handshake", "HTTP/1.0", handshake(Map.of("request-line", "GET /ws HTTP/1.0"), 400, null, null));
        add("handshake", "POST", handshake(Map.of("request-line", "POST /ws HTTP/1.1"), 400, null, null));
        add("handshake", "no Connection: Upgrade", handshake(Map.of("Connection", "keep-alive"), 400, null, null));
        add("handshake", "no Upgrade", handshake(without("Upgrade"), 400, null, null));
    }

    private void framingCases() {
        for (int size : new int[] {40, 125, 126, 127, 128, 1000, 65535, 65536}) {
            add("framing", "text of " + size + " bytes", answers("s" + size, frame(TEXT, pingOfSize("s" + size, size))));
        }
        add("framing", "text over the frame limit", closes(1009, frame(TEXT, pingOfSize("big", 65537))));
        add("framing", "empty text frame", answers("e", frame(TEXT, NO_BYTES), RawWebSocket.text(ping("e"))));
        add("framing", "binary frame", answers("b", frame(BINARY, new byte[] {0, 1, 2, (byte) 255}), RawWebSocket.text(ping("b"))));
        for (int rsv = 1; rsv <= 7; rsv++) {
            add("framing", "text with RSV " + rsv, closes(1002, frame(true, rsv, TEXT, true, utf8(ping("r")))));
        }
        add("framing", "ping with RSV 1", closes(1002, frame(true, 4, PING, true, NO_BYTES)));
        for (int op : new int[] {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
            add("framing", "reserved opcode " + op, closes(1002, frame(true, 0, op, true, NO_BYTES)));
            add("framing", "reserved opcode " + op + " with payload", closes(1002, frame(true, 0, op, true, utf8("hello"))));
        }
        add("framing", "unmasked text", closes(1002, frame(true, 0, TEXT, false, utf8(ping("u")))));
        add("framing", "unmasked ping", closes(1002, frame(true, 0, PING, false, NO_BYTES)));
        byte[][] ten = new byte[10][];
        for (int i = 0; i < 10; i++) {
            ten[i] = RawWebSocket.text(ping("t" + i));
        }
        add("framing", "ten messages in one write", answers("t9", ten));
        add("framing", "one message a byte per write", port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                read(ws, f -> f.text().contains("welcome"));
                for (byte b : RawWebSocket.text(ping("slow"))) {
                    ws.send(new byte[] {b});
                }
                assertThat(read(ws, f -> f.text().contains("\"slow\""))).last().extracting(Frame::text).asString().contains("pong");
            }
        });
    }

    private void fragmentationCases() {
        byte[] msg = utf8(ping("f"));
        add("fragmentation", "two fragments", answers("f", frame(false, 0, TEXT, true, Arrays.copyOf(msg, 10)),
                frame(true, 0, CONTINUATION, true, Arrays.copyOfRange(msg, 10, msg.length))));
        add("fragmentation", "one byte per fragment", answers("f", bytewise(msg)));
        add("fragmentation", "empty fragments around the message", answers("f", frame(false, 0, TEXT, true, NO_BYTES),
                frame(false, 0, CONTINUATION, true, msg), frame(true, 0, CONTINUATION, true, NO_BYTES)));
        add("fragmentation", "ping between fragments", port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                read(ws, f -> f.text().contains("welcome"));
                ws.send(frame(false, 0, TEXT, true, Arrays.copyOf(msg, 10)), frame(PING, utf8("mid")),
                        frame(true, 0, CONTINUATION, true, Arrays.copyOfRange(msg, 10, msg.length)));
                List<Frame> got = read(ws, f -> f.opcode() == TEXT && f.text().contains("\"f\""));
                assertThat(got).anyMatch(f -> f.opcode() == PONG && f.text().equals("mid"));
                assertThat(got.get(got.size() - 1).text()).contains("pong");
            }
        });
        add("fragmentation", "close between fragments", closes(1000, frame(false, 0, TEXT, true, Arrays.copyOf(msg, 10)),
                RawWebSocket.close(1000, "")));
        add("fragmentation", "continuation with nothing to continue", closes(1002, frame(true, 0, CONTINUATION, true, msg)));
        add("fragmentation", "unfinished continuation with nothing to continue",
                closes(1002, frame(false, 0, CONTINUATION, true, msg), frame(true, 0, CONTINUATION, true, NO_BYTES)));
        add("fragmentation", "new message before the last one ended", closes(1002, frame(false, 0, TEXT, true, msg),
                frame(true, 0, TEXT, true, msg)));
        add("fragmentation", "fragmented ping", closes(1002, frame(false, 0, PING, true, utf8("a")),
                frame(true, 0, CONTINUATION, true, utf8("b"))));
        add("fragmentation", "fragmented pong", closes(1002, frame(false, 0, PONG, true, utf8("a")),
                frame(true, 0, CONTINUATION, true, utf8("b"))));
        add("fragmentation", "fragmented close", closes(1002, frame(false, 0, CLOSE, true, new byte[] {3, (byte) 232}),
                frame(true, 0, CONTINUATION, true, NO_BYTES)));
        byte[] part = new byte[40_000];
        Arrays.fill(part, (byte) ' ');
        add("fragmentation", "fragments over the message limit", closes(1009, frame(false, 0, TEXT, true, part),
                frame(true, 0, CONTINUATION, true, part)));
    }

    private void controlCases() {
        byte[] p125 = new byte[125];
        new Random(125).nextBytes(p125);
        for (byte[] payload : new byte[][] {NO_BYTES, utf8("hello"), p125}) {
            add("control", "ping of " + payload.length + " bytes", port -> {
                try (RawWebSocket ws = RawWebSocket.open(port)) {
                    ws.send(frame(PING, payload));
                    List<Frame> got = read(ws, f -> f.opcode() == PONG);
                    assertThat(got).isNotEmpty();
                    assertThat(got.get(got.size() - 1).payload()).isEqualTo(payload);
                }
            });
        }
        add("control", "ping of 126 bytes", closes(1002, frame(PING, new byte[126])));
        add("control", "close of 126 bytes", closes(1002, frame(CLOSE, new byte[126])));
        add("control", "unsolicited pong", answers("p", frame(PONG, NO_BYTES), frame(PONG, utf8("x")), RawWebSocket.text(ping("p"))));
        add("control", "ten pings in one write", port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                byte[][] pings = new byte[10][];
                for (int i = 0; i < 10; i++) {
                    pings[i] = frame(PING, utf8("n" + i));
                }
                ws.send(pings);
                assertThat(read(ws, f -> f.opcode() == PONG && f.text().equals("n9"))).last()
                        .extracting(Frame::text).isEqualTo("n9");
            }
        });
        add("control", "ping, command and close in one write", port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                read(ws, f -> f.text().contains("welcome"));
                ws.send(frame(PING, utf8("last")), RawWebSocket.text(ping("c")), RawWebSocket.close(1000, ""));
                List<Frame> got = read(ws, f -> false);
                assertThat(got).anyMatch(f -> f.opcode() == PONG && f.text().equals("last"))
                        .anyMatch(f -> f.opcode() == TEXT && f.text().contains("\"c\""));
                assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(1000);
                assertThat(ws.serverClosesSocket()).isTrue();
            }
        });
    }

    private void closeCases() {
        add("close", "close without a code", closeAnswered(frame(CLOSE, NO_BYTES)));
        for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
            add("close", "close " + code, closeAnswered(RawWebSocket.close(code, "")));
        }
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            add("close", "invalid close " + code, closes(1002, RawWebSocket.close(code, "")));
        }
        add("close", "close with one byte", closes(1002, frame(CLOSE, new byte[] {3})));
        add("close", "close with 123 bytes of reason", closeAnswered(RawWebSocket.close(1000, "r".repeat(123))));
        add("close", "close with invalid UTF-8 reason", port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                ws.send(frame(CLOSE, new byte[] {3, (byte) 232, (byte) 0xCE, (byte) 0xBA, (byte) 0xE1, (byte) 0xBD}));
                List<Frame> got = read(ws, f -> false);
                assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(1007);
            }
        });
        add("close", "nothing runs after the close", port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                read(ws, f -> f.text().contains("welcome"));
                ws.send(RawWebSocket.close(1000, ""), RawWebSocket.text(ping("after")), frame(PING, utf8("after")));
                List<Frame> got = read(ws, f -> false);
                assertThat(got).hasSize(1);
                assertThat(got.get(0).closeCode()).isEqualTo(1000);
                assertThat(ws.serverClosesSocket()).isTrue();
            }
        });
        add("close", "the node's close handshake", port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                ws.send(frame(BINARY, NO_BYTES), frame(TEXT, new byte[] {(byte) 0xFF}));
                List<Frame> got = read(ws, f -> false);
                assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(1007);
                ws.send(RawWebSocket.close(1007, ""));
                assertThat(ws.serverClosesSocket()).isTrue();
            }
        });
    }

    /** A client close the node answers with 1000, then closes the TCP connection itself (RFC 6455 7.1.1). */
    private static Check closeAnswered(byte[] close) {
        return port -> {
            try (RawWebSocket ws = RawWebSocket.open(port)) {
                ws.send(close);
                List<Frame> got = read(ws, f -> false);
                assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(1000);
                assertThat(ws.serverClosesSocket()).isTrue();
            }
        };
    }

    private void utf8Cases() {
        String[] valid = {"κόσμε", "\u0080", "\u07ff", "\u0800", "\uffff", "\ufeff", "\ud800\udc00", "\udbff\udfff", "a\u00e9\u4e2d\ud83d\ude00z"};
        for (String v : valid) {
            byte[] msg = utf8("{\"v\":1,\"type\":\"ping\",\"id\":\"ok\",\"x\":\"" + v + "\"}");
            String hex = java.util.HexFormat.of().formatHex(utf8(v));
            add("utf-8", "valid " + hex, answers("ok", frame(TEXT, msg)));
            add("utf-8", "valid " + hex + ", a byte per fragment", answers("ok", bytewise(msg)));
        }
        int[][] invalid = {{0x80}, {0xbf}, {0xc0, 0xaf}, {0xc1, 0xbf}, {0xe0, 0x80, 0xaf}, {0xf0, 0x80, 0x80, 0xaf},
            {0xed, 0xa0, 0x80}, {0xed, 0xbf, 0xbf}, {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80}, {0xfe}, {0xff},
            {0xc3}, {0xe2, 0x82}, {0xf0, 0x9f, 0x98}, {0xce, 0xba, 0xe1}, {0xf8, 0x88, 0x80, 0x80, 0x80}};
        for (int[] seq : invalid) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(utf8("{\"v\":1,\"type\":\"ping\",\"id\":\"bad\",\"x\":\""));
            StringBuilder hex = new StringBuilder();
            for (int x : seq) {
                b.write(x);
                hex.append(String.format("%02x", x));
            }
            b.writeBytes(utf8("\"}"));
            byte[] msg = b.toByteArray();
            add("utf-8", "invalid " + hex, closes(1007, frame(TEXT, msg)));
            add("utf-8", "invalid " + hex + ", a byte per fragment", closes(1007, bytewise(msg)));
        }
    }

    @Test
    void rfc6455CasesAndHostileFrames() throws Exception {
        handshakeCases();
        framingCases();
        fragmentationCases();
        controlCases();
        closeCases();
        utf8Cases();
        long seed = Long.getLong("conformance.seed", 6455L);
        int fuzzFrames = Integer.getInteger("conformance.fuzz", 3000);
        try (LogCapture log = new LogCapture();
             TestServer node = TestServer.start(TestServer.config().allowAnonymous(true).limits(TestServer.LIMITS.withErrorBurstLimit(1_000_000)))) {
            int port = node.port();
            List<String> failures = new ArrayList<>();
            TreeMap<String, Integer> perGroup = new TreeMap<>();
            for (Case c : cases) {
                perGroup.merge(c.group(), 1, Integer::sum);
                try {
                    c.check().run(port);
                } catch (AssertionError | Exception e) {
                    failures.add(c.group() + " / " + c.name() + ": " + e.getMessage());
                }
            }
            HostileJson.Result fuzz = HostileJson.run(port, seed, fuzzFrames);

            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            boolean alive = health.statusCode() == 200;
            answers("alive", RawWebSocket.text(ping("alive"))).run(port);
            List<String> problems = log.problems();
            long stackTraces = log.events().stream().filter(e -> e.getThrowableProxy() != null).count();
            System.out.printf("conformance: %d RFC 6455 cases %s, %d failed; %d hostile JSON frames (seed %d), %d unanswered,"
                            + " closes %s; node alive: %s; %d stack traces and %d WARN/ERROR lines logged%n",
                    cases.size(), perGroup, failures.size(), fuzz.frames(), seed, fuzz.unanswered(), fuzz.closes(), alive,
                    stackTraces, problems.size());
            assertThat(failures).as("cases answered otherwise than RFC 6455 says").isEmpty();
            assertThat(fuzz.unanswered()).as("hostile frames left unanswered: %s", fuzz.examples()).isZero();
            assertThat(HostileJson.DOCUMENTED_CLOSES).containsAll(fuzz.closes().keySet());
            assertThat(alive).isTrue();
            assertThat(problems).as("logged at WARN or above, or with a stack trace").isEmpty();
            assertThat(cases.size()).isGreaterThanOrEqualTo(150);
        }
    }
}
