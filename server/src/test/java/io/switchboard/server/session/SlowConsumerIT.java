package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlowConsumerIT {

    @Test
    void stalledClientIsClosedWith4001AndMemoryStaysFlat() throws Exception {
        long bound = 256 * 1024;
        try (TestServer node = TestServer.start(TestServer.config().maxQueuedBytes(bound));
             WsClient healthy = node.client("healthy");
             WsClient pub = node.client("pub")) {
            WsClient stalled = WsClient.to(node.port()).token(node.token("stalled")).receiveBuffer(4096).connect();
            stalled.awaitType(MessageType.WELCOME);
            stalled.subscribe("flood");
            healthy.subscribe("flood");
            stalled.setReading(false);

            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = mem.getHeapMemoryUsage().getUsed();
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

            // Flood until the server gives up on the stalled client (it leaves the channel at once), at
            // most 128 MiB: 512 times the bound. Socket buffers absorb a few MiB before the queue grows.
            String payload = "\"" + "x".repeat(1000) + "\"";
            int n = 128 * 1024;
            // The publisher is paced by the healthy reader (at most 32 messages, ~35 KB, ahead of it, far
            // under the bound even on a loaded machine), so only the stalled client falls behind.
            int healthyGot = 0;
            for (int i = 0; i < n && node.server.hub().subscriberCount("flood") == 2; i++) {
                pub.command("publish", "flood", "\"payload\":" + payload);
                while (i - healthyGot > 32) {
                    Envelope e = healthy.received.poll(20, java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(e).as("healthy subscriber keeps receiving (open: %s, close code: %s, got %d of %d)",
                            healthy.isOpen(), healthy.closeCode.getNow(null), healthyGot, i).isNotNull();
                    if (e.type() == MessageType.MESSAGE) {
                        healthyGot++;
                    }
                }
                if (i % 1024 == 0) {
                    pub.received.clear();
                }
            }
            assertThat(node.server.hub().subscriberCount("flood")).as("stalled client dropped").isEqualTo(1);
            stalled.setReading(true);
            // It reads what the socket held, then the close frame (within the server's 2 s grace).
            assertThat(stalled.awaitClose()).isEqualTo(4001);
            assertThat(stalled.closeReason).isEqualTo("slow_consumer");

            healthy.received.clear();
            System.gc();
            long heapAfter = mem.getHeapMemoryUsage().getUsed();
            long directAfter = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            // The flood moved many MiB to each subscriber; neither heap nor direct memory kept anything near that.
            assertThat(heapAfter - heapBefore).isLessThan(24L * 1024 * 1024);
            assertThat(directAfter - directBefore).isLessThan(16L * 1024 * 1024);
            // The healthy subscriber and the node are unaffected.
            assertThat(healthy.isOpen()).isTrue();
            pub.command("publish", "flood", "\"payload\":\"after\"");
            assertThat(healthy.await(e -> e.type() == MessageType.MESSAGE && "\"after\"".equals(e.payloadText()),
                    Duration.ofSeconds(60))).isNotNull();
            stalled.close();
        }
    }
}
