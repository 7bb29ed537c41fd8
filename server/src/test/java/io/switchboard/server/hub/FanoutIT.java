package io.switchboard.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.EnvelopeDecoder;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 1,000 subscribers each receive every one of 1,000 messages exactly once and in publish order. */
class FanoutIT {

    static final int SUBSCRIBERS = 1000;
    static final int MESSAGES = 1000;

    @Test
    void everySubscriberGetsEveryMessageOnceInOrder() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().maxQueuedBytes(8L * 1024 * 1024))) {
            List<WsClient> subs = new ArrayList<>();
            try {
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    WsClient c = node.client("sub" + i);
                    subs.add(c);
                    c.command("subscribe", "fanout", null);
                }
                for (WsClient c : subs) {
                    assertThat(c.awaitType(MessageType.ACK)).isNotNull();
                }
                assertThat(node.server.hub().subscriberCount("fanout")).isEqualTo(SUBSCRIBERS);
                try (WsClient pub = node.client("publisher")) {
                    for (int i = 0; i < MESSAGES; i++) {
                        pub.command("publish", "fanout", "\"payload\":{\"seq\":" + i + "}");
                    }
                    // A million deliveries go out before the last ack on a busy 2-core machine: wait
                    // generously for each ack (the default 10 s has run out under a load average of 8).
                    for (int i = 0; i < MESSAGES; i++) {
                        assertThat(pub.await(e -> e.type() == MessageType.ACK, java.time.Duration.ofSeconds(60))).isNotNull();
                    }
                }
                for (WsClient c : subs) {
                    // Collect exactly what arrived; anything more would be a duplicate.
                    int next = 0;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (next < MESSAGES && System.nanoTime() < deadline) {
                        Envelope e = c.received.poll(1, TimeUnit.SECONDS);
                        if (e == null || e.type() != MessageType.MESSAGE) {
                            continue;
                        }
                        assertThat(e.payloadText()).isEqualTo("{\"seq\":" + next + "}");
                        next++;
                    }
                    assertThat(next).isEqualTo(MESSAGES);
                }
                Thread.sleep(200);
                for (WsClient c : subs) {
                    assertThat(c.received.stream().filter(e -> e.type() == MessageType.MESSAGE)).isEmpty();
                }
            } finally {
                subs.forEach(WsClient::close);
            }
        }
    }
}
