package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.switchboard.server.testing.LogCapture;
import io.switchboard.server.testing.RawWebSocket;
import io.switchboard.server.testing.RawWebSocket.Frame;
import io.switchboard.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Defects an outside conformance run found (issue 13, item 6), each checked over a real socket with raw
 * frames: how connections that end mid-message are logged, what reaches the log from the client, and
 * that a command followed at once by a close frame is still answered.
 */
class HardeningIT {

    static TestServer node;

    @BeforeAll
    static void start() throws Exception {
        node = TestServer.start(TestServer.config());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits for the session's "ended" line, which comes after everything the connection's end logs. */
    private static void awaitEnded(LogCapture log, int sessionsBefore) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.events().stream()
                .filter(e -> e.getFormattedMessage().endsWith(" ended")).count() > sessionsBefore);
    }

    @Test
    void aConnectionThatEndsMidMessageLogsOneDebugLineAndNoStackTrace() throws Exception {
        byte[] firstHalf = RawWebSocket.frame(false, 0, RawWebSocket.TEXT, true, utf8("{\"v\":1,\"type\":\"pi"));
        try (LogCapture log = new LogCapture(Session.class, SessionHandler.class)) {
            // 1. A legal close in the middle of a fragmented message: answered with 1000.
            try (RawWebSocket ws = RawWebSocket.open(node.port(), node.token("a"))) {
                ws.send(firstHalf, RawWebSocket.close(1000, ""));
                List<Frame> got = ws.readUntil(f -> false);
                assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(1000);
                assertThat(ws.serverClosesSocket()).isTrue();
            }
            awaitEnded(log, 0);
            // 2. The node's own 1007 in the middle of a message, then the client's close.
            try (RawWebSocket ws = RawWebSocket.open(node.port(), node.token("b"))) {
                ws.send(firstHalf, RawWebSocket.frame(false, 0, RawWebSocket.CONTINUATION, true, new byte[] {(byte) 0xC3, 0x28}));
                List<Frame> got = ws.readUntil(f -> false);
                assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(1007);
                ws.send(RawWebSocket.close(1000, ""));
                assertThat(ws.serverClosesSocket()).isTrue();
            }
            awaitEnded(log, 1);
            // 3. The client drops the TCP connection mid-message.
            try (RawWebSocket ws = RawWebSocket.open(node.port(), node.token("c"))) {
                ws.send(firstHalf);
            }
            awaitEnded(log, 2);
            assertThat(log.problems()).isEmpty();
            List<ILoggingEvent> midMessage = log.events().stream()
                    .filter(e -> e.getFormattedMessage().contains("in the middle of a message")).toList();
            assertThat(midMessage).hasSize(3).allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(e.getThrowableProxy()).isNull();
            });
        }
    }

    @Test
    void clientChosenStringsNeverForgeALogLine() throws Exception {
        try (LogCapture log = new LogCapture();
             RawWebSocket ws = RawWebSocket.open(node.port(), node.token("mallory"))) {
            byte[][] bad = new byte[60][];
            for (int i = 0; i < bad.length; i++) {
                bad[i] = RawWebSocket.text("{\"v\":1,\"type\":\"nope\",\"id\":\"x\\nFORGED INFO Session - session admin closed\"}");
            }
            ws.send(bad);
            List<Frame> got = ws.readUntil(f -> false);
            assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(4002);
            ILoggingEvent closed = log.events().stream().filter(e -> e.getFormattedMessage().contains("bad commands"))
                    .findFirst().orElseThrow();
            String session = LogCapture.session(closed);
            assertThat(session).isNotNull();
            assertThat(closed.getFormattedMessage()).startsWith("session " + session + " closed:");
            assertThat(log.events()).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("\n", "\r", "FORGED"));
        }
    }

    @Test
    void aCommandAndACloseFrameInOneWriteAreBothAnswered() throws Exception {
        for (int round = 0; round < 20; round++) {
            try (RawWebSocket ws = RawWebSocket.open(node.port(), node.token("quick"))) {
                ws.readUntil(f -> f.text().contains("welcome"));
                ws.send(RawWebSocket.text("{\"v\":1,\"type\":\"publish\",\"id\":\"pub\",\"channel\":\"chat:last\",\"payload\":" + round + "}"),
                        RawWebSocket.text("{\"v\":1,\"type\":\"ping\",\"id\":\"png\"}"),
                        RawWebSocket.close(1000, "bye"));
                List<Frame> got = ws.readUntil(f -> false);
                String text = got.stream().filter(f -> f.opcode() == RawWebSocket.TEXT).map(Frame::text)
                        .reduce("", String::concat);
                assertThat(text).as("round %d: %s", round, got).contains("\"type\":\"ack\",\"id\":\"pub\"", "\"type\":\"pong\",\"id\":\"png\"");
                assertThat(got.get(got.size() - 1).opcode()).isEqualTo(RawWebSocket.CLOSE);
                assertThat(got.get(got.size() - 1).closeCode()).isEqualTo(1000);
            }
        }
    }

    @Test
    void answeredPingsAreNotKeptAsCommandsInFlight() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(node.port(), node.token("rtt"))) {
            for (int i = 0; i < 50; i++) {
                String id = "rtt-" + i;
                ws.send(RawWebSocket.text("{\"v\":1,\"type\":\"ping\",\"id\":\"" + id + "\"}"));
                assertThat(ws.readUntil(f -> f.text().contains(id))).last().extracting(Frame::text).asString().contains("pong");
            }
            // Each pong ends its command: the command duration is measured, and nothing stays in flight.
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            double pings = metrics.body().lines().filter(l -> l.startsWith("switchboard_command_duration_seconds_count{type=\"ping\"}"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertThat(pings).isGreaterThanOrEqualTo(50);
        }
    }
}
