package io.switchboard.client;

import io.switchboard.server.testing.ExternalServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Redis is SIGKILLed mid-traffic and started again (same data directory, append-only file). The nodes say
 * they are not ready while it is gone, keep their clients, reconnect, and repair: every subscriber of the
 * channel with history ends with the exact published sequence; subscribers of a live-only channel are
 * told (and the SDK subscribes again) rather than left with a silent gap.
 */
class RedisRestartIT {

    static final int COUNT = 200;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void nodesRideOutARedisRestartWithoutAGap() throws Exception {
        try (ExternalServer redis = ExternalServer.persistentRedis(); Cluster cluster = Cluster.start(2, redis);
             Cluster.Followers f = cluster.follow(4, "chat:restart", "news", false);
             SwitchboardClient pub = cluster.client("publisher", 0, false, new Recorder())) {
            pub.connect().get(20, TimeUnit.SECONDS);
            long outage;
            int retries;
            try (SteadyPublisher p = new SteadyPublisher(pub, "chat:restart", COUNT, 10).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> p.acknowledged.get() >= COUNT / 3);
                redis.kill();
                long t0 = System.nanoTime();
                // While Redis is gone the nodes say so, and keep their connections.
                for (ServerProcess node : cluster.nodes) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> readyz(node).contains("engine_unavailable"));
                }
                redis.launch();
                for (ServerProcess node : cluster.nodes) {
                    await().atMost(Duration.ofSeconds(15)).until(() -> readyz(node).contains("\"ready\""));
                }
                outage = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                await().atMost(Duration.ofSeconds(40)).until(p::done);
                assertThat(p.offsets).containsExactlyElementsOf(LongStream.rangeClosed(1, COUNT).boxed().toList());
                retries = p.retries.get();
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> f.history.stream().allMatch(h -> h.messages.size() >= COUNT));
            for (Inbox h : f.history) {
                assertThat(h.payloads()).as("no gap, no repeat").isEqualTo(SteadyPublisher.expected(COUNT));
                assertThat(h.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, COUNT).boxed().toList());
            }
            assertThat(f.recorders).allSatisfy(r -> assertThat(r.disconnects).as("connections kept").isEmpty());

            // The live-only channel could not be repaired: its subscribers were told and subscribed again.
            await().atMost(Duration.ofSeconds(10)).until(() -> f.live.stream().allMatch(l -> l.acks.size() >= 2));
            pub.publish("news", "\"after\"").get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> f.live.stream().allMatch(l -> l.payloads().contains("\"after\"")));

            // Only the pub/sub connections drop (Redis itself stays up) and messages are published before
            // the nodes have subscribed again: nothing later shows the hole, so the nodes must read the
            // stream when their subscription is back.
            assertThat(redis.redisCommand("CLIENT KILL TYPE pubsub")).isNotEqualTo(":0");
            for (int n = 0; n < 5; n++) {
                pub.publish("chat:restart", "{\"late\":" + n + "}").get(10, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> f.history.stream().allMatch(h -> h.messages.size() >= COUNT + 5));
            for (Inbox h : f.history) {
                assertThat(h.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, COUNT + 5).boxed().toList());
            }
            System.out.printf("RedisRestartIT: Redis away for %d ms; %d publish retries; %d messages, no gap%n",
                    outage, retries, COUNT);
        }
    }

    static String readyz(ServerProcess node) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }
}
