package io.switchboard.client;

import io.switchboard.server.testing.ExternalServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on one Redis. While a publisher sends steadily, one node is SIGKILLed and started again, and
 * then another: their clients (and the publisher, which starts on the first victim) reconnect to the other
 * nodes and recover. In the end every subscriber holds exactly the published sequence, each message once,
 * and presence lists exactly the live connections once the dead ones' entries outlived the TTL (3 s).
 */
class ClusterChaosIT {

    static final int COUNT = 300;

    @Test
    void killedNodesCostOnlyAReconnect() throws Exception {
        try (ExternalServer redis = ExternalServer.persistentRedis(); Cluster cluster = Cluster.start(3, redis)) {
            try (Cluster.Followers f = cluster.follow(6, "chat:chaos", null, true);
                 SwitchboardClient pub = cluster.client("publisher", 1, true, new Recorder())) {
                List<Inbox> inboxes = f.history;
                List<Recorder> recorders = f.recorders;
                pub.connect().get(20, TimeUnit.SECONDS);
                long started = System.nanoTime();
                try (SteadyPublisher p = new SteadyPublisher(pub, "chat:chaos", COUNT, 10).start()) {

                    long[] downFor = new long[2];
                    int[] victims = {1, 2};
                    for (int k = 0; k < 2; k++) {
                        int mark = (k + 1) * COUNT / 3;
                        await().atMost(Duration.ofSeconds(30)).until(() -> p.acknowledged.get() >= mark);
                        ServerProcess victim = cluster.nodes.get(victims[k]);
                        Set<String> before = recorders.stream().map(r -> r.welcomes.get(r.welcomes.size() - 1).sessionId())
                                .collect(Collectors.toSet());
                        long t0 = System.nanoTime();
                        victim.kill();
                        if (k == 1) {
                            // Right after the kill the dead node's sessions are still listed (their TTL has not run
                            // out): the check below that they are gone is not vacuous.
                            Presence ghosts = f.clients.get(0).presence("chat:chaos").get(5, TimeUnit.SECONDS);
                            assertThat(ghosts.clients().stream().map(Presence.Client::clientId).collect(Collectors.toSet()))
                                    .containsAll(before);
                        }
                        victim.launch();
                        downFor[k] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    }
                    await().atMost(Duration.ofSeconds(40)).until(p::done);
                    long publishMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

                    List<String> expected = SteadyPublisher.expected(COUNT);
                    await().atMost(Duration.ofSeconds(30)).until(() -> inboxes.stream().allMatch(in -> in.messages.size() >= COUNT));
                    for (Inbox in : inboxes) {
                        assertThat(in.payloads()).as("the exact published sequence").isEqualTo(expected);
                        assertThat(in.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, COUNT).boxed().toList());
                    }
                    // Retried publishes (some through another node) were recognised: offsets 1..COUNT, each once.
                    assertThat(p.offsets).containsExactlyElementsOf(LongStream.rangeClosed(1, COUNT).boxed().toList());
                    // The clients of both killed nodes lost their connection and found another node.
                    long moved = recorders.stream().filter(r -> !r.disconnects.isEmpty()).count();
                    assertThat(moved).isGreaterThanOrEqualTo(4);
                    assertThat(recorders).allSatisfy(r -> assertThat(r.closes).isEmpty());

                    // No ghosts: once the killed sessions' entries expired, presence is exactly the live connections.
                    Set<String> live = recorders.stream().map(r -> r.welcomes.get(r.welcomes.size() - 1).sessionId())
                            .collect(Collectors.toSet());
                    long t1 = System.nanoTime();
                    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        Presence now = f.clients.get(0).presence("chat:chaos").get(5, TimeUnit.SECONDS);
                        return now.clients().stream().map(Presence.Client::clientId).collect(Collectors.toSet()).equals(live)
                                && now.clients().size() == 6 && now.users() == 6;
                    });
                    System.out.printf("ClusterChaosIT: %d messages in %d ms; node restarts took %d and %d ms; "
                                    + "%d publish retries; %d subscribers reconnected; presence clean %d ms after the end%n",
                            COUNT, publishMillis, downFor[0], downFor[1], p.retries.get(), moved,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
                }
            }
        }
    }
}
