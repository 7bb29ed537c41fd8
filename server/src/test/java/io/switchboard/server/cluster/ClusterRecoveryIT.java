package io.switchboard.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three nodes on the test's own Redis (live delivery by Redis pub/sub, or by NATS), one of them with a
 * live feed that lags behind the streams as a loaded broker link does. Clients speak the raw protocol
 * (no SDK to drop duplicates for them), drop at random and come back on a random node with {@code since}.
 * On every connection the messages must run exactly from the ack: since+1 after a recovery, the ack's
 * offset+1 otherwise, with no duplicate and no hole; every recovery must succeed (history keeps 10,000).
 * Issue 12, items 1 and 6.
 */
class ClusterRecoveryIT {

    static final int CLIENTS = 9;
    static final Duration RUN = Duration.ofSeconds(6);

    @ParameterizedTest(name = "broker {0}")
    @ValueSource(strings = {"redis", "nats"})
    void clientsMovingBetweenNodesSeeEveryOffsetExactlyOnce(String broker) throws Exception {
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.plain("feed").withHistory(10_000, Duration.ofMinutes(10))).build();
        try (ExternalServer redis = ExternalServer.redis();
             ExternalServer nats = broker.equals("nats") ? ExternalServer.nats() : null;
             Nodes nodes = Nodes.start(3, TestServer.config().namespaces(ns), redis.url(), nats == null ? null : nats.url(), 40)) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger acked = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            Future<?> publisher = pool.submit(() -> {
                Random rnd = new Random(7);
                List<WsClient> pubs = new ArrayList<>();
                try {
                    for (int i = 0; i < nodes.size(); i++) {
                        pubs.add(nodes.get(i).client("publisher"));
                    }
                    while (running.get()) {
                        Envelope ack = pubs.get(rnd.nextInt(pubs.size())).publish("feed:x", Integer.toString(acked.get() + 1));
                        assertThat(ack.type()).as("publish answered: %s", ack).isEqualTo(MessageType.ACK);
                        acked.incrementAndGet();
                        Thread.sleep(3); // pacing, ~200 publications a second
                    }
                } finally {
                    pubs.forEach(WsClient::close);
                }
                return null;
            });
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                long seed = 2000L + i;
                String user = "c" + i;
                results.add(pool.submit(() -> runClient(nodes, user, new Random(seed), running)));
            }
            Thread.sleep(RUN.toMillis()); // the length of the run, not a wait for an event
            running.set(false);
            publisher.get(60, TimeUnit.SECONDS);
            int recoveries = 0;
            for (Future<Integer> r : results) {
                recoveries += r.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            System.out.printf("cluster recovery over %s: %d published, %d recoveries%n", broker, acked.get(), recoveries);
            assertThat(acked.get()).isGreaterThan(200);
            assertThat(recoveries).isGreaterThan(CLIENTS * 2);
        }
    }

    /** Returns the number of successful recoveries; throws on any duplicate, hole or refused recovery. */
    private static int runClient(Nodes nodes, String user, Random rnd, AtomicBoolean running) throws Exception {
        String epoch = null;
        long last = -1;
        int recovered = 0;
        while (running.get()) {
            TestServer node = nodes.get(rnd.nextInt(nodes.size()));
            try (WsClient c = node.client(user)) {
                String extra = epoch == null ? null
                        : "\"since\":{\"epoch\":\"" + epoch + "\",\"offset\":" + last + "}";
                Envelope ack = c.call("subscribe", "feed:x", extra);
                assertThat(ack.type()).as("%s: subscribe answered with an ack: %s", user, ack).isEqualTo(MessageType.ACK);
                String text = ack.payloadText();
                long top = Long.parseLong(text.replaceAll(".*\"offset\":(\\d+).*", "$1"));
                long next;
                if (epoch != null) {
                    assertThat(text).as("%s: recovery from %d", user, last).contains("\"recovered\":true");
                    recovered++;
                    next = last + 1;
                } else {
                    next = top + 1;
                }
                epoch = text.replaceAll(".*\"epoch\":\"([^\"]+)\".*", "$1");
                long until = System.currentTimeMillis() + 20 + rnd.nextInt(400);
                while (System.currentTimeMillis() < until) {
                    Envelope e = c.received.poll(10, TimeUnit.MILLISECONDS);
                    if (e == null) {
                        continue;
                    }
                    assertThat(e.type()).as("%s: only messages on a healthy cluster: %s", user, e).isEqualTo(MessageType.MESSAGE);
                    assertThat(e.offset()).as("%s on node %d: message after %d (ack offset %d)", user, node.port(), next - 1, top)
                            .isEqualTo(next);
                    next++;
                }
                last = next - 1;
            }
            Thread.sleep(rnd.nextInt(100)); // away for a while: publications go on meanwhile
        }
        return recovered;
    }
}
