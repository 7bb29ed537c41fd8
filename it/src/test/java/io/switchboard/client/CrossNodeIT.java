package io.switchboard.client;

import io.switchboard.server.testing.ExternalServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Nodes sharing one Redis, with live delivery through Redis pub/sub or through NATS: clients spread over
 * the nodes, publishers on every node publish at once, and every subscriber gets every publication exactly
 * once, all in the same order; a NATS restart is repaired from the streams.
 */
class CrossNodeIT {

    static final int PER_PUBLISHER = 100;

    @Test
    void threeNodesOneRedisDeliverEveryPublicationOnceInOneOrder() throws Exception {
        try (ExternalServer redis = ExternalServer.persistentRedis(); Cluster cluster = Cluster.start(3, redis)) {
            everyoneGetsEverythingOnceInOneOrder(cluster);
        }
    }

    @Test
    void theSameWithNatsCarryingLiveMessages() throws Exception {
        try (ExternalServer redis = ExternalServer.persistentRedis(); ExternalServer nats = ExternalServer.nats();
             Cluster cluster = Cluster.start(3, redis, "--broker", "nats", "--nats-url", nats.url())) {
            everyoneGetsEverythingOnceInOneOrder(cluster);
        }
    }

    /**
     * NATS is SIGKILLed mid-traffic and started again: publishes go on (Redis stores them), the nodes catch
     * up from the streams when NATS is back, and the live-only channel's subscribers are told.
     */
    @Test
    void aNatsRestartIsRepairedFromTheStreams() throws Exception {
        int count = 150;
        try (ExternalServer redis = ExternalServer.persistentRedis(); ExternalServer nats = ExternalServer.nats();
             Cluster cluster = Cluster.start(2, redis, "--broker", "nats", "--nats-url", nats.url());
             Cluster.Followers f = cluster.follow(2, "chat:natsdown", "news", false);
             SwitchboardClient pub = cluster.client("publisher", 0, false, new Recorder())) {
            pub.connect().get(20, TimeUnit.SECONDS);
            try (SteadyPublisher p = new SteadyPublisher(pub, "chat:natsdown", count, 10).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> p.acknowledged.get() >= count / 3);
                nats.kill();
                int during = p.acknowledged.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> p.acknowledged.get() >= during + 10);
                nats.launch();
                await().atMost(Duration.ofSeconds(40)).until(p::done);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> f.history.stream().allMatch(h -> h.messages.size() >= count));
            for (Inbox h : f.history) {
                assertThat(h.payloads()).isEqualTo(SteadyPublisher.expected(count));
                assertThat(h.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> f.live.stream().allMatch(l -> l.acks.size() >= 2));
        }
    }

    private static void everyoneGetsEverythingOnceInOneOrder(Cluster cluster) throws Exception {
        // Six subscribers, two per node, on a channel with history and on a live-only one.
        try (Cluster.Followers f = cluster.follow(6, "chat:cross", "news", false)) {
            List<SwitchboardClient> publishers = new ArrayList<>();
            try {
                for (int p = 0; p < 3; p++) {
                    SwitchboardClient c = cluster.client("pub" + p, p, false, new Recorder());
                    publishers.add(c);
                    c.connect().get(20, TimeUnit.SECONDS);
                }
                List<CompletableFuture<PublishResult>> acks = new ArrayList<>();
                for (int n = 0; n < PER_PUBLISHER; n++) {
                    for (int p = 0; p < 3; p++) {
                        String body = "{\"p\":" + p + ",\"n\":" + n + "}";
                        acks.add(publishers.get(p).publish("chat:cross", body));
                        acks.add(publishers.get(p).publish("news", body));
                    }
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } finally {
                publishers.forEach(SwitchboardClient::close);
            }
            int total = 3 * PER_PUBLISHER;

            await().atMost(Duration.ofSeconds(30)).until(() -> f.history.stream().allMatch(h -> h.messages.size() >= total)
                    && f.live.stream().allMatch(l -> l.messages.size() >= total));
            List<String> first = f.history.get(0).payloads();
            assertThat(first).hasSize(total).doesNotHaveDuplicates();
            for (Inbox h : f.history) {
                assertThat(h.payloads()).as("history channel: same messages, same order, each once").isEqualTo(first);
                assertThat(h.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
                // Each publisher's own messages keep their order.
                for (int p = 0; p < 3; p++) {
                    String tag = "{\"p\":" + p + ",";
                    List<String> mine = h.payloads().stream().filter(s -> s.startsWith(tag)).toList();
                    assertThat(mine).hasSize(PER_PUBLISHER);
                    for (int n = 0; n < PER_PUBLISHER; n++) {
                        assertThat(mine.get(n)).isEqualTo(tag + "\"n\":" + n + "}");
                    }
                }
            }
            for (Inbox l : f.live) {
                assertThat(l.payloads()).as("live-only channel: each message once").hasSize(total)
                        .containsExactlyInAnyOrderElementsOf(first);
            }
        }
    }
}
