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
            WsClient stalled = stalledSubscriber(node, healthy);

            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = mem.getHeapMemoryUsage().getUsed();
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

            flood(node, healthy, pub);
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

    /**
     * Publishes to "flood" until the node gives up on the stalled subscriber (it leaves the channel at once),
     * at most 128 MiB: 512 times the bound. Socket buffers absorb a few MiB before the queue grows.
     */
    static void flood(TestServer node, WsClient healthy, WsClient pub) throws Exception {
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
    }

    /** A stalled subscriber of "flood" beside a healthy one; the node's bound is 256 KiB. */
    static WsClient stalledSubscriber(TestServer node, WsClient healthy) throws Exception {
        WsClient stalled = WsClient.to(node.port()).token(node.token("stalled")).receiveBuffer(4096).connect();
        stalled.awaitType(MessageType.WELCOME);
        stalled.subscribe("flood");
        healthy.subscribe("flood");
        stalled.setReading(false);
        return stalled;
    }

    @Test
    void aClientThatResumesReadingAfterTwoSecondsStillLearns4001() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().maxQueuedBytes(256 * 1024).heartbeatTimeout(Duration.ofSeconds(8)));
             WsClient healthy = node.client("healthy");
             WsClient pub = node.client("pub")) {
            WsClient stalled = stalledSubscriber(node, healthy);
            flood(node, healthy, pub);
            // The client stays stalled past the 2 s that every other close waits for its answer: its close
            // frame is queued behind what was already on its way, and the node waits for it (issue 12).
            Thread.sleep(3500);
            stalled.setReading(true);
            assertThat(stalled.awaitClose()).isEqualTo(4001);
            assertThat(stalled.closeReason).isEqualTo("slow_consumer");
            stalled.close();
        }
    }

    @Test
    void aClientStalledPastTheGraceIsResetAndCountedAs4001() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().maxQueuedBytes(256 * 1024).heartbeatTimeout(Duration.ofSeconds(2)));
             WsClient healthy = node.client("healthy");
             WsClient pub = node.client("pub")) {
            WsClient stalled = stalledSubscriber(node, healthy);
            double closedBefore = node.server.metrics().registry().find("switchboard.connections.closed")
                    .tag("code", "4001").counter().count();
            flood(node, healthy, pub);
            // Still not reading: the close frame can never leave, so the node resets the connection.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> node.server.sessionCount() == 2);
            assertThat(node.server.metrics().registry().find("switchboard.connections.closed").tag("code", "4001").counter()
                    .count()).isEqualTo(closedBefore + 1);
            stalled.setReading(true);
            assertThat(stalled.awaitClose()).as("no close frame: the connection was reset").isEqualTo(-1);
            stalled.close();
        }
    }
}
