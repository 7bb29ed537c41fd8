package io.switchboard.server.deflate;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.CompressionConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Mutated compressed frames through real connections: each either inflates (and then gets the JSON
 * protocol's answer, which the ping after it must follow) or closes its connection with 1007 or 1009;
 * never another code, never a fault, and the node keeps serving a bystander.
 */
class DeflateFuzzIT {

    @Test
    void mutatedCompressedFramesEndInAnAnswerOrA1007Or1009() throws Exception {
        Random r = new Random(1009);
        String publish = "{\"v\":1,\"type\":\"publish\",\"id\":\"p\",\"channel\":\"chat:f\",\"payload\":{\"rows\":["
                + "{\"a\":1,\"b\":\"text text text\"},".repeat(30) + "{}]}}";
        byte[] seed = ZlibTest.clientCompress(publish.getBytes(StandardCharsets.UTF_8));
        int closed = 0;
        int answered = 0;
        try (TestServer node = TestServer.start(TestServer.config().compression(CompressionConfig.DEFAULT.withEnabled(true))
                .limits(TestServer.LIMITS.withErrorBurstLimit(1_000_000))); // inflated garbage is bad input; the rule's 4002 is not what this tests
             WsClient bystander = node.client("bystander")) {
            WsClient c = null;
            try {
                for (int i = 0; i < 400; i++) {
                    if (c == null) {
                        c = WsClient.to(node.port()).token(node.token("f")).deflate().connect();
                        c.awaitType(MessageType.WELCOME);
                    }
                    byte[] bad = seed.clone();
                    for (int k = 1 + r.nextInt(3); k > 0 && bad.length > 0; k--) {
                        int at = r.nextInt(bad.length);
                        switch (r.nextInt(3)) {
                            case 0 -> bad[at] ^= (byte) (1 << r.nextInt(8));
                            case 1 -> bad = Arrays.copyOf(bad, at);
                            default -> bad[at] = (byte) r.nextInt(256);
                        }
                    }
                    c.sendFrame(new TextWebSocketFrame(true, 4, Unpooled.wrappedBuffer(bad)));
                    String id = c.command("ping", null, "");
                    // The sentinel: the pong comes after whatever the fuzzed frame caused, unless it closed the connection.
                    boolean ponged = false;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!ponged && !c.closeCode.isDone() && System.nanoTime() < deadline) {
                        try {
                            c.await(e -> e.type() == MessageType.PONG && e.id() != null && e.id().text().equals(id), Duration.ofMillis(100));
                            ponged = true;
                        } catch (AssertionError notYet) {
                            // keep waiting for the pong or the close
                        }
                    }
                    if (ponged) {
                        answered++;
                    } else {
                        int got = c.closeCode.get(10, TimeUnit.SECONDS);
                        assertThat(got).as("case %d", i).isIn(1007, 1009);
                        closed++;
                        c.close();
                        c = null;
                    }
                }
            } finally {
                if (c != null) {
                    c.close();
                }
            }
            assertThat(bystander.publish("chat:f", "{\"still\":\"here\"}").type()).isEqualTo(MessageType.ACK);
            assertThat(node.server.node().metrics().scrape()).doesNotContain("code=\"1011\"");
        }
        assertThat(closed).as("closed").isGreaterThan(50);
        assertThat(answered).as("answered").isGreaterThan(0);
    }
}
