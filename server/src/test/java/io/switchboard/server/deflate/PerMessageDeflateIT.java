package io.switchboard.server.deflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.metrics.CompressionMetrics;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate end to end on a real node with real sockets: the negotiation, compressed commands,
 * the fan-out compressed once for every subscriber, and the bad input (RSV1 without the extension, a
 * bomb, a truncated and a corrupt stream), each closing only its own connection.
 */
class PerMessageDeflateIT {

    private static final String AGREED = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    private static ServerConfig on() {
        return TestServer.config().compression(new io.switchboard.server.config.CompressionConfig(true, 256, 6));
    }

    private static WsClient deflating(TestServer node, String user) throws Exception {
        WsClient c = WsClient.to(node.port()).token(node.token(user)).deflate().connect();
        c.awaitType(MessageType.WELCOME);
        return c;
    }

    private static CompressionMetrics metrics(TestServer node) {
        return node.server.node().metrics().compression();
    }

    private static String extensions(WsClient c) throws Exception {
        return c.response().headers().get("Sec-WebSocket-Extensions");
    }

    private static TextWebSocketFrame compressed(String text) {
        return new TextWebSocketFrame(true, 4, Unpooled.wrappedBuffer(ZlibTest.clientCompress(text.getBytes(StandardCharsets.UTF_8))));
    }

    private static String bigPayload() {
        StringBuilder b = new StringBuilder("{\"rows\":[");
        for (int i = 0; i < 60; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"sensor ").append(i).append("\",\"ok\":true}");
        }
        return b.append("]}").toString();
    }

    @Test
    void offIsTheDefaultAndAnRsv1FrameClosesWith1002() throws Exception {
        try (TestServer node = TestServer.start(); WsClient offering = deflating(node, "a"); WsClient other = node.client("b")) {
            assertThat(extensions(offering)).as("declined: no extension in the answer").isNull();
            offering.sendFrame(compressed("{\"v\":1,\"type\":\"ping\",\"id\":\"1\"}"));
            assertThat(offering.awaitClose()).isEqualTo(1002);
            assertThat(metrics(node).refusedTotal("not_negotiated")).isEqualTo(1);
            assertThat(other.publish("chat:x", "{\"still\":\"here\"}").type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void onAnswersWithoutContextTakeoverAndInflatesCommands() throws Exception {
        try (TestServer node = TestServer.start(on()); WsClient c = deflating(node, "a")) {
            assertThat(extensions(c)).isEqualTo(AGREED);
            String id = c.nextId();
            c.sendFrame(compressed("{\"v\":1,\"type\":\"subscribe\",\"id\":\"" + id + "\",\"channel\":\"chat:z\"}"));
            assertThat(c.replyTo(id).type()).isEqualTo(MessageType.ACK);
            assertThat(metrics(node).messagesReceived()).isEqualTo(1);
            // A client that does not offer it, and one whose only offer is unacceptable, get none.
            try (WsClient plain = node.client("p");
                 WsClient odd = WsClient.to(node.port()).token(node.token("o"))
                         .header("Sec-WebSocket-Extensions", "permessage-deflate; mystery=1").connect()) {
                assertThat(extensions(plain)).isNull();
                assertThat(extensions(odd)).isNull();
            }
            try (WsClient small = WsClient.to(node.port()).token(node.token("s")).deflate()
                    .header("Sec-WebSocket-Extensions", "permessage-deflate; server_max_window_bits=10").connect()) {
                assertThat(extensions(small)).isEqualTo(AGREED + "; server_max_window_bits=10");
            }
        }
    }

    /** The Pusher endpoint keeps to uncompressed frames even with compression on (docs/pusher.md). */
    @Test
    void thePusherEndpointNeverNegotiatesIt() throws Exception {
        io.switchboard.server.config.PusherApp app = io.switchboard.server.config.PusherApp.of("1001", "key-a", "secret-a-0123456789");
        try (TestServer node = TestServer.start(on().pusherApps(List.of(app)));
             java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
            s.getOutputStream().write(("GET /app/key-a?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            List<String> head = new ArrayList<>();
            for (String line = r.readLine(); line != null && !line.isEmpty(); line = r.readLine()) {
                head.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(head.get(0)).startsWith("http/1.1 101");
            assertThat(head).noneMatch(h -> h.startsWith("sec-websocket-extensions"));
        }
    }

    @Test
    void aPublicationIsCompressedOnceForAllItsSubscribers() throws Exception {
        // A channel without history: each subscription is live at its ack, so nothing is held back and sent later.
        try (TestServer node = TestServer.start(on()); WsClient publisher = node.client("pub")) {
            List<WsClient> subs = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    WsClient s = deflating(node, "sub" + i);
                    subs.add(s);
                    assertThat(s.subscribe("fan-deflate").type()).isEqualTo(MessageType.ACK);
                }
                WsClient plain = node.client("plain");
                subs.add(plain);
                assertThat(plain.subscribe("fan-deflate").type()).isEqualTo(MessageType.ACK);
                int[] zBefore = subs.stream().mapToInt(s -> s.compressedFrames.get()).toArray(); // the welcome may be compressed
                double sharedBefore = metrics(node).compressions(true);
                double framesBefore = metrics(node).framesSent();
                String payload = bigPayload();
                assertThat(publisher.publish("fan-deflate", payload).type()).isEqualTo(MessageType.ACK);
                for (WsClient s : subs) {
                    Envelope m = s.await(e -> e.type() == MessageType.MESSAGE, Duration.ofSeconds(10));
                    assertThat(m.payloadText()).isEqualTo(payload);
                }
                for (int i = 0; i < 5; i++) {
                    assertThat(subs.get(i).compressedFrames.get() - zBefore[i]).as("subscriber %d got it compressed", i).isEqualTo(1);
                }
                assertThat(plain.compressedFrames.get()).isZero();
                assertThat(metrics(node).compressions(true) - sharedBefore).as("compressions for the fan-out").isEqualTo(1);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(metrics(node).framesSent() - framesBefore).isEqualTo(5));
                // A small publication goes out uncompressed (under the threshold).
                assertThat(publisher.publish("fan-deflate", "{\"n\":1}").type()).isEqualTo(MessageType.ACK);
                subs.get(0).await(e -> e.type() == MessageType.MESSAGE && e.payloadText().equals("{\"n\":1}"), Duration.ofSeconds(10));
                assertThat(subs.get(0).compressedFrames.get() - zBefore[0]).isEqualTo(1);
            } finally {
                subs.forEach(WsClient::close);
            }
        }
    }

    /** No connection keeps zlib state: the deflaters and inflaters made grow with threads, not connections. */
    @Test
    void zlibStreamsBelongToThreadsNotConnections() throws Exception {
        try (TestServer node = TestServer.start(on())) {
            int deflatersBefore = Zlib.deflatersMade();
            int inflatersBefore = Zlib.inflatersMade();
            double inBefore = metrics(node).messagesReceived();
            List<WsClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    WsClient c = deflating(node, "u" + i);
                    clients.add(c);
                    String id = c.nextId();
                    c.sendFrame(compressed("{\"v\":1,\"type\":\"publish\",\"id\":\"" + id + "\",\"channel\":\"chat:t\",\"payload\":"
                            + bigPayload() + "}"));
                    assertThat(c.replyTo(id).type()).isEqualTo(MessageType.ACK);
                }
                assertThat(clients.stream().mapToInt(c -> c.compressedFrames.get()).sum()).as("welcomes compressed").isEqualTo(40);
            } finally {
                clients.forEach(WsClient::close);
            }
            assertThat(metrics(node).messagesReceived() - inBefore).isEqualTo(40);
            // 2 I/O threads here; whatever ran before in this JVM made its own already.
            assertThat(Zlib.deflatersMade() - deflatersBefore).isLessThanOrEqualTo(2);
            assertThat(Zlib.inflatersMade() - inflatersBefore).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aBombClosesWith1009AndOnlyItsConnection() throws Exception {
        try (TestServer node = TestServer.start(on()); WsClient bomber = deflating(node, "bomber"); WsClient other = deflating(node, "other")) {
            byte[] zeros = new byte[50 << 20]; // 50 MiB of zeros: about 50 KiB compressed, under the 64 KiB frame limit
            Arrays.fill(zeros, (byte) ' ');
            byte[] bomb = ZlibTest.clientCompress(zeros);
            assertThat(bomb.length).isLessThan(65536);
            bomber.sendFrame(new TextWebSocketFrame(true, 4, Unpooled.wrappedBuffer(bomb)));
            assertThat(bomber.awaitClose()).isEqualTo(1009);
            assertThat(metrics(node).refusedTotal("too_big")).isEqualTo(1);
            assertThat(other.publish("chat:x", "{\"still\":\"here\"}").type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void truncatedAndCorruptStreamsCloseWith1007() throws Exception {
        try (TestServer node = TestServer.start(on()); WsClient other = deflating(node, "other")) {
            byte[] whole = ZlibTest.clientCompress(("{\"v\":1,\"type\":\"publish\",\"id\":\"1\",\"channel\":\"chat:x\",\"payload\":"
                    + bigPayload() + "}").getBytes(StandardCharsets.UTF_8));
            byte[] corrupt = whole.clone();
            corrupt[0] = (byte) 0xff;
            for (byte[] bad : new byte[][] {Arrays.copyOf(whole, whole.length / 2), corrupt}) {
                try (WsClient c = deflating(node, "bad")) {
                    c.sendFrame(new TextWebSocketFrame(true, 4, Unpooled.wrappedBuffer(bad)));
                    assertThat(c.awaitClose()).isEqualTo(1007);
                }
            }
            assertThat(metrics(node).refusedTotal("corrupt")).isEqualTo(2);
            // A compressed message in fragments: RSV1 on the first frame only; on a continuation it is a 1002.
            byte[] ping = ZlibTest.clientCompress("{\"v\":1,\"type\":\"ping\",\"id\":\"frag\"}".getBytes(StandardCharsets.UTF_8));
            int half = ping.length / 2;
            try (WsClient c = deflating(node, "fragments")) {
                c.sendFrame(new TextWebSocketFrame(false, 4, Unpooled.wrappedBuffer(ping, 0, half)));
                c.sendFrame(new io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame(true, 0,
                        Unpooled.wrappedBuffer(ping, half, ping.length - half)));
                assertThat(c.replyTo("frag").type()).isEqualTo(MessageType.PONG);
                c.sendFrame(new TextWebSocketFrame(false, 4, Unpooled.wrappedBuffer(ping, 0, half)));
                c.sendFrame(new io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame(true, 4,
                        Unpooled.wrappedBuffer(ping, half, ping.length - half)));
                assertThat(c.awaitClose()).isEqualTo(1002);
            }
            try (WsClient c = deflating(node, "rsv2")) {
                c.sendFrame(new TextWebSocketFrame(true, 2, Unpooled.wrappedBuffer("{}".getBytes(StandardCharsets.UTF_8))));
                assertThat(c.awaitClose()).isEqualTo(1002);
            }
            assertThat(other.publish("chat:x", "{\"still\":\"here\"}").type()).isEqualTo(MessageType.ACK);
        }
    }
}
