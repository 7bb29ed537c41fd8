package io.switchboard.server.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.memory.MemoryEngine;
import io.switchboard.server.testing.RacingEngine;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** History streams, recovery on resubscribe, retention, epochs and idempotent publish. */
class RecoveryIT {

    TestServer node;
    RacingEngine engine;

    @BeforeEach
    void start() throws Exception {
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.plain("small").withHistory(5, Duration.ofMinutes(10)))
                .put(NamespaceConfig.plain("brief").withHistory(100, Duration.ofMillis(300)))
                .put(NamespaceConfig.plain("short").withHistory(100, Duration.ofMinutes(10)).withStreamTtl(Duration.ofMillis(300)))
                .build();
        engine = new RacingEngine(new MemoryEngine(Duration.ofMillis(50)));
        node = TestServer.start(TestServer.config().namespaces(ns).maxRecover(20), engine);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    static String epochOf(Envelope ack) {
        Matcher m = Pattern.compile("\"epoch\":\"([^\"]+)\"").matcher(ack.payloadText());
        assertThat(m.find()).as("epoch in %s", ack.payloadText()).isTrue();
        return m.group(1);
    }

    static long offsetOf(Envelope ack) {
        Matcher m = Pattern.compile("\"offset\":(\\d+)").matcher(ack.payloadText());
        assertThat(m.find()).as("offset in %s", ack.payloadText()).isTrue();
        return Long.parseLong(m.group(1));
    }

    static String since(String epoch, long offset) {
        return "\"since\":{\"epoch\":\"" + epoch + "\",\"offset\":" + offset + "}";
    }

    private void publishN(WsClient pub, String channel, int from, int to) throws InterruptedException {
        for (int i = from; i <= to; i++) {
            assertThat(pub.publish(channel, Integer.toString(i)).type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void subscribeAckCarriesThePositionAndOffsetsGrowByOne() throws Exception {
        try (WsClient c = node.client("a"); WsClient pub = node.client("p")) {
            Envelope ack = c.subscribe("chat:pos");
            assertThat(ack.payloadText()).contains("\"offset\":0", "\"recovered\":false").doesNotContain("reason");
            Envelope p1 = pub.publish("chat:pos", "1");
            Envelope p2 = pub.publish("chat:pos", "2");
            assertThat(offsetOf(p1)).isEqualTo(1);
            assertThat(offsetOf(p2)).isEqualTo(2);
            assertThat(epochOf(p1)).isEqualTo(epochOf(ack));
            List<Envelope> got = c.messages(2, Duration.ofSeconds(5));
            assertThat(got).extracting(Envelope::offset).containsExactly(1L, 2L);
            assertThat(got).extracting(Envelope::epoch).containsOnly(epochOf(ack));
        }
    }

    @Test
    void resubscribeWithSinceGetsWhatWasMissedOnceInOrderThenLive() throws Exception {
        try (WsClient pub = node.client("p")) {
            String epoch;
            try (WsClient c = node.client("a")) {
                epoch = epochOf(c.subscribe("chat:rec"));
                publishN(pub, "chat:rec", 1, 3);
                assertThat(c.messages(3, Duration.ofSeconds(5))).extracting(Envelope::offset).containsExactly(1L, 2L, 3L);
            }
            publishN(pub, "chat:rec", 4, 10);
            try (WsClient c = node.client("a")) {
                Envelope ack = c.call("subscribe", "chat:rec", since(epoch, 3));
                assertThat(ack.payloadText()).contains("\"recovered\":true", "\"offset\":10");
                pub.publish("chat:rec", "11");
                List<Envelope> got = c.messages(8, Duration.ofSeconds(5));
                assertThat(got).extracting(Envelope::payloadText).containsExactly("4", "5", "6", "7", "8", "9", "10", "11");
                pub.publish("chat:rec", "12"); // the sentinel: a repeat of anything above would come before it
                assertThat(c.messages(1, Duration.ofSeconds(5))).extracting(Envelope::payloadText).containsExactly("12");
            }
        }
    }

    @Test
    void publicationBetweenLiveSubscribeAndHistoryReadIsDeliveredOnce() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            String epoch = epochOf(c.subscribe("chat:race"));
            publishN(pub, "chat:race", 1, 2);
            c.messages(2, Duration.ofSeconds(5));
            c.call("unsubscribe", "chat:race", null);
            publishN(pub, "chat:race", 3, 4);
            // The engine publishes "racer" after the live subscription exists and before the read.
            engine.publishBeforeNextRead.set(PublishRequest.live("chat:race", "\"racer\"".getBytes(), "p")
                    .withStream(io.switchboard.server.node.ChannelService.streamOptions(NamespaceConfig.chat())));
            Envelope ack = c.call("subscribe", "chat:race", since(epoch, 2));
            assertThat(ack.payloadText()).contains("\"recovered\":true", "\"offset\":5");
            List<Envelope> got = c.messages(3, Duration.ofSeconds(5));
            assertThat(got).extracting(Envelope::payloadText).containsExactly("3", "4", "\"racer\"");
            pub.publish("chat:race", "6"); // the sentinel: a second "racer" would come before it
            assertThat(c.messages(1, Duration.ofSeconds(5))).extracting(Envelope::payloadText).containsExactly("6");
        }
    }

    @Test
    void retentionByCountLimitsRecovery() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            String epoch = epochOf(c.subscribe("small:x"));
            c.call("unsubscribe", "small:x", null);
            publishN(pub, "small:x", 1, 10); // keeps 6..10
            Envelope lost = c.call("subscribe", "small:x", since(epoch, 2));
            assertThat(lost.payloadText()).contains("\"recovered\":false", "\"reason\":\"out_of_retention\"", "\"offset\":10");
            c.call("unsubscribe", "small:x", null);
            Envelope ok = c.call("subscribe", "small:x", since(epoch, 5));
            assertThat(ok.payloadText()).contains("\"recovered\":true");
            assertThat(c.messages(5, Duration.ofSeconds(5))).extracting(Envelope::offset).containsExactly(6L, 7L, 8L, 9L, 10L);
        }
    }

    @Test
    void retentionByAgeDropsOldMessages() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            String epoch = epochOf(c.subscribe("brief:x"));
            c.call("unsubscribe", "brief:x", null);
            publishN(pub, "brief:x", 1, 3);
            Envelope fresh = c.call("history", "brief:x", null);
            assertThat(fresh.payloadText()).contains("\"offset\":1", "\"offset\":3");
            // history-ttl 300 ms: wait until the sweeper has dropped them.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> c.call("history", "brief:x", null).payloadText().contains("\"publications\":[]"));
            Envelope lost = c.call("subscribe", "brief:x", since(epoch, 0));
            assertThat(lost.payloadText()).contains("\"recovered\":false", "out_of_retention");
        }
    }

    @Test
    void aLostStreamGetsANewEpochAndRecoverySaysSo() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            String first = epochOf(pub.publish("short:x", "1"));
            // stream-ttl 300 ms, swept every 50 ms: wait until the stream is gone (a read then starts a new one).
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !c.call("history", "short:x", null).payloadText().contains("\"epoch\":\"" + first + "\""));
            Envelope ack = c.call("subscribe", "short:x", since(first, 1));
            assertThat(ack.payloadText()).contains("\"recovered\":false", "\"reason\":\"epoch_changed\"");
            assertThat(epochOf(ack)).isNotEqualTo(first);
            assertThat(offsetOf(ack)).isZero();
        }
    }

    @Test
    void tooManyMissedMessagesAreNotRecovered() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            String epoch = epochOf(c.subscribe("chat:many"));
            c.call("unsubscribe", "chat:many", null);
            publishN(pub, "chat:many", 1, 25); // max-recover is 20
            Envelope ack = c.call("subscribe", "chat:many", since(epoch, 0));
            assertThat(ack.payloadText()).contains("\"recovered\":false", "\"reason\":\"too_many\"", "\"offset\":25");
            pub.publish("chat:many", "26");
            assertThat(c.messages(1, Duration.ofSeconds(5))).extracting(Envelope::offset).containsExactly(26L);
        }
    }

    @Test
    void aPositionAheadOfTheStreamIsBad() throws Exception {
        try (WsClient c = node.client("a")) {
            String epoch = epochOf(c.subscribe("chat:ahead"));
            c.call("unsubscribe", "chat:ahead", null);
            assertThat(c.call("subscribe", "chat:ahead", since(epoch, 99)).payloadText()).contains("\"reason\":\"bad_position\"");
        }
    }

    @Test
    void retriedPublishWithTheSameKeyIsDeliveredOnce() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            c.subscribe("chat:idem");
            Envelope first = pub.call("publish", "chat:idem", "\"payload\":\"once\",\"idempotencyKey\":\"k1\"");
            Envelope retry = pub.call("publish", "chat:idem", "\"payload\":\"once\",\"idempotencyKey\":\"k1\"");
            Envelope other = pub.call("publish", "chat:idem", "\"payload\":\"twice\",\"idempotencyKey\":\"k2\"");
            assertThat(offsetOf(retry)).isEqualTo(offsetOf(first));
            assertThat(offsetOf(other)).isEqualTo(offsetOf(first) + 1);
            assertThat(c.messages(3, Duration.ofSeconds(2))).extracting(Envelope::payloadText).containsExactly("\"once\"", "\"twice\"");
            // The key belongs to its publisher: another user reusing it is not taken for a retry.
            try (WsClient stranger = node.client("q")) {
                Envelope theirs = stranger.call("publish", "chat:idem", "\"payload\":\"theirs\",\"idempotencyKey\":\"k1\"");
                assertThat(offsetOf(theirs)).isEqualTo(offsetOf(first) + 2);
            }
            // ...and to its channel: the same key elsewhere is a new publish.
            assertThat(offsetOf(pub.call("publish", "chat:idem2", "\"payload\":1,\"idempotencyKey\":\"k1\""))).isEqualTo(1);
        }
    }

    @Test
    void largeHistoryRepliesStayWithinTheFrameLimit() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            String big = "\"" + "h".repeat(10_000) + "\"";
            for (int i = 0; i < 20; i++) {
                pub.publish("chat:big", big);
            }
            c.rawFrames.clear();
            Envelope page = c.call("history", "chat:big", "\"limit\":20");
            assertThat(page.payloadText()).contains("\"more\":true", "\"earliest\":1");
            int entries = page.payloadText().split("\"ts\":").length - 1;
            assertThat(entries).isBetween(1, 6);
            assertThat(c.rawFrames).allMatch(f -> f.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 65536);
            // The next page continues after the last offset returned.
            Envelope next = c.call("history", "chat:big", since(epochOf(page), entries) + ",\"limit\":20");
            assertThat(next.payloadText()).contains("{\"offset\":" + (entries + 1) + ",");
        }
    }

    @Test
    void aBacklogTooBigToQueueIsNotRecoveredButTheConnectionLives() throws Exception {
        try (TestServer tight = TestServer.start(TestServer.config().maxQueuedBytes(256 * 1024));
             WsClient pub = tight.client("p"); WsClient c = tight.client("a")) {
            String epoch = epochOf(c.subscribe("chat:backlog"));
            c.call("unsubscribe", "chat:backlog", null);
            String big = "\"" + "b".repeat(20_000) + "\"";
            for (int i = 0; i < 20; i++) {
                pub.publish("chat:backlog", big); // 400 KB: over half the 256 KiB bound
            }
            Envelope ack = c.call("subscribe", "chat:backlog", since(epoch, 0));
            assertThat(ack.payloadText()).contains("\"recovered\":false", "\"reason\":\"too_many\"");
            assertThat(c.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
        }
    }

    @Test
    void sinceOnALiveOnlyChannelSaysThereIsNoHistory() throws Exception {
        try (WsClient c = node.client("a")) {
            Envelope ack = c.call("subscribe", "live", since("x", 3));
            assertThat(ack.payloadText()).isEqualTo("{\"recovered\":false,\"reason\":\"no_history\"}");
            assertThat(c.subscribe("live2").payload()).isNull();
        }
    }

    @Test
    void historyCommandReadsForwardBackwardAndSince() throws Exception {
        try (WsClient pub = node.client("p"); WsClient c = node.client("a")) {
            publishN(pub, "chat:h", 1, 5);
            Envelope all = c.call("history", "chat:h", null);
            assertThat(all.payloadText()).contains("\"offset\":5,\"earliest\":1,\"publications\":[{\"offset\":1,");
            assertThat(all.payloadText()).contains("\"from\":\"p\",\"payload\":1}");
            Envelope newest = c.call("history", "chat:h", "\"limit\":2,\"reverse\":true");
            assertThat(newest.payloadText()).contains("[{\"offset\":5,").contains("{\"offset\":4,").doesNotContain("\"offset\":3,");
            String epoch = epochOf(all);
            Envelope after = c.call("history", "chat:h", since(epoch, 3));
            assertThat(after.payloadText()).contains("[{\"offset\":4,").doesNotContain("{\"offset\":3,");
            Envelope newestAfter = c.call("history", "chat:h", since(epoch, 3) + ",\"reverse\":true");
            assertThat(newestAfter.payloadText()).contains("[{\"offset\":5,").contains("{\"offset\":4,").doesNotContain("{\"offset\":3,");
            assertThat(c.call("history", "chat:h", since("other", 3)).code()).isEqualTo("unrecoverable");
        }
    }
}
