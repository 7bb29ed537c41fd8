package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bad-input table: each kind of bad frame gets its documented outcome, and a second client that is
 * subscribed to a channel with a steady stream of publications keeps receiving all of them throughout.
 */
class BadInputIT {

    TestServer node;
    WsClient bystander;
    WsClient publisher;
    ScheduledExecutorService ticker;
    final AtomicInteger published = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        node = TestServer.start(TestServer.config().maxFrameBytes(16 * 1024));
        bystander = node.client("bystander");
        bystander.subscribe("steady");
        publisher = node.client("publisher");
        ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(() -> publisher.command("publish", "steady",
                "\"payload\":" + published.getAndIncrement()), 0, 5, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        // Keep the stream going after the bad input, so "throughout" includes "afterwards": 20 more
        // publications, counted rather than timed (a busy machine runs the 5 ms ticker late).
        int mark = published.get();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> published.get() >= mark + 20);
        ticker.shutdownNow();
        ticker.awaitTermination(2, TimeUnit.SECONDS);
        int sent = published.get();
        // The bystander got every publication, in order, while the bad client did its worst.
        List<Envelope> got = bystander.messages(sent, Duration.ofSeconds(10));
        assertThat(sent).isGreaterThan(20);
        assertThat(got).hasSize(sent);
        for (int i = 0; i < sent; i++) {
            assertThat(got.get(i).payloadText()).isEqualTo(Integer.toString(i));
        }
        assertThat(bystander.isOpen()).isTrue();
        bystander.close();
        publisher.close();
        node.close();
    }

    private Envelope errorFor(WsClient c, String frame) throws Exception {
        c.sendText(frame);
        return c.awaitType(MessageType.ERROR);
    }

    private void stillServes(WsClient c) throws Exception {
        assertThat(c.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
    }

    @Test
    void malformedJson() throws Exception {
        try (WsClient c = node.client("bad")) {
            Envelope e = errorFor(c, "{\"v\":1,\"type\":\"subscribe\",");
            assertThat(e.code()).isEqualTo("bad_request");
            assertThat(e.id()).isNull();
            assertThat(errorFor(c, "not json at all").code()).isEqualTo("bad_request");
            assertThat(errorFor(c, "42").code()).isEqualTo("bad_request");
            assertThat(errorFor(c, "{} {}").code()).isEqualTo("bad_request");
            stillServes(c);
        }
    }

    @Test
    void unknownType() throws Exception {
        try (WsClient c = node.client("bad")) {
            Envelope e = errorFor(c, "{\"v\":1,\"type\":\"teleport\",\"id\":\"9\"}");
            assertThat(e.code()).isEqualTo("unknown_type");
            assertThat(e.id().text()).isEqualTo("9");
            assertThat(errorFor(c, "{\"v\":1,\"type\":\"welcome\",\"id\":\"10\"}").code()).isEqualTo("unknown_type");
            stillServes(c);
        }
    }

    @Test
    void missingId() throws Exception {
        try (WsClient c = node.client("bad")) {
            Envelope e = errorFor(c, "{\"v\":1,\"type\":\"subscribe\",\"channel\":\"x\"}");
            assertThat(e.code()).isEqualTo("bad_request");
            assertThat(e.message()).contains("missing id");
            stillServes(c);
        }
    }

    @Test
    void wrongVersion() throws Exception {
        try (WsClient c = node.client("bad")) {
            Envelope e = errorFor(c, "{\"v\":2,\"type\":\"subscribe\",\"id\":\"3\",\"channel\":\"x\"}");
            assertThat(e.code()).isEqualTo("unsupported_version");
            assertThat(e.id().text()).isEqualTo("3");
            assertThat(errorFor(c, "{\"type\":\"subscribe\",\"id\":\"4\",\"channel\":\"x\"}").code()).isEqualTo("bad_request");
            stillServes(c);
        }
    }

    @Test
    void binaryFrame() throws Exception {
        try (WsClient c = node.client("bad")) {
            c.sendBinary(new byte[] {1, 2, 3});
            Envelope e = c.awaitType(MessageType.ERROR);
            assertThat(e.code()).isEqualTo("bad_request");
            assertThat(e.message()).contains("binary");
            stillServes(c);
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (WsClient c = node.client("bad")) {
            c.sendBytes(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
            assertThat(c.awaitClose()).isEqualTo(1007);
        }
    }

    @Test
    void frameOverTheLimitClosesWith1009() throws Exception {
        try (WsClient c = node.client("bad")) {
            c.sendText("{\"v\":1,\"type\":\"publish\",\"id\":\"1\",\"channel\":\"x\",\"payload\":\"" + "a".repeat(17 * 1024) + "\"}");
            assertThat(c.awaitClose()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageOverTheLimitClosesWith1009() throws Exception {
        try (WsClient c = node.client("bad")) {
            String part = "a".repeat(10 * 1024); // each fragment is under the 16 KiB limit; together they are not
            c.sendFrame(new io.netty.handler.codec.http.websocketx.TextWebSocketFrame(false, 0,
                    "{\"v\":1,\"type\":\"publish\",\"id\":\"1\",\"channel\":\"x\",\"payload\":\"" + part));
            c.sendFrame(new io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame(false, 0, part));
            c.sendFrame(new io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame(true, 0, "\"}"));
            assertThat(c.awaitClose()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageUnderTheLimitIsReassembled() throws Exception {
        try (WsClient c = node.client("frag")) {
            c.sendFrame(new io.netty.handler.codec.http.websocketx.TextWebSocketFrame(false, 0, "{\"v\":1,\"type\":"));
            c.sendFrame(new io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame(true, 0, "\"ping\",\"id\":\"f\"}"));
            assertThat(c.replyTo("f").type()).isEqualTo(MessageType.PONG);
        }
    }

    @Test
    void nestingBombIsRefusedAndTheConnectionLives() throws Exception {
        try (WsClient c = node.client("bad")) {
            String bomb = "{\"v\":1,\"type\":\"publish\",\"id\":\"1\",\"channel\":\"x\",\"payload\":"
                    + "[".repeat(5000) + "]".repeat(5000) + "}";
            Envelope e = errorFor(c, bomb);
            assertThat(e.code()).isEqualTo("bad_request");
            assertThat(e.message()).contains("limit");
            stillServes(c);
        }
    }

    @Test
    void burstOfBadCommandsClosesWith4002() throws Exception {
        try (WsClient c = node.client("bad")) {
            for (int i = 0; i < 1000; i++) {
                c.sendText("{\"v\":1,\"type\":\"nope\",\"id\":" + i + "}");
            }
            assertThat(c.awaitClose()).isEqualTo(4002);
            long errors = c.received.stream().filter(e -> e.type() == MessageType.ERROR).count();
            assertThat(errors).isEqualTo(51); // the limit (50) is tolerated, the 51st error also closes
        }
    }
}
