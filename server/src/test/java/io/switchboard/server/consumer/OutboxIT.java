package io.switchboard.server.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.ConsumersConfig;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.node.Engines;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL outbox against the machine's real PostgreSQL (issue 20): rows of committed transactions
 * are published once, in order; rows of rolled-back ones never; bad rows go to the dead-letter table
 * without holding up the rows behind them; a node killed mid-batch and replaced loses nothing and
 * delivers nothing twice to a raw-protocol client that recovers.
 */
class OutboxIT {

    private static final String API_KEY = "outbox-it-api-key-0123456789";

    static final Namespaces NS = Namespaces.builder()
            .put(NamespaceConfig.plain("feed").withHistory(10_000, Duration.ofMinutes(10))).build();

    @Test
    void committedRowsArePublishedOnceInOrderRolledBackOnesNeverAndBadOnesMovedAside() throws Exception {
        try (TestDatabase db = new TestDatabase();
             TestServer node = TestServer.start(TestServer.config().namespaces(NS).apiKeys(List.of(API_KEY))
                     .consumers(new ConsumersConfig(db.outbox(), null)));
             WsClient client = node.client("reader")) {
            assertThat(client.subscribe("feed:a").type()).isEqualTo(MessageType.ACK);
            assertThat(client.subscribe("feed:b").type()).isEqualTo(MessageType.ACK);
            Map<String, List<Integer>> expected = Map.of("feed:a", new ArrayList<>(), "feed:b", new ArrayList<>());
            Random rnd = new Random(20);
            int n = 0;
            int bad = 0;
            try (Connection c = TestDatabase.connect();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO " + db.table + " (channel, payload) VALUES (?, ?)")) {
                c.setAutoCommit(false);
                for (int tx = 0; tx < 60; tx++) {
                    boolean commit = tx % 3 != 2;
                    List<Object[]> rows = new ArrayList<>();
                    for (int i = 1 + rnd.nextInt(5); i > 0; i--) {
                        String ch = rnd.nextBoolean() ? "feed:a" : "feed:b";
                        n++;
                        rows.add(new Object[] {ch, n});
                        insert.setString(1, ch);
                        insert.setString(2, "{\"n\":" + n + ",\"committed\":" + commit + "}");
                        insert.addBatch();
                    }
                    if (commit && tx % 10 == 0) {
                        // Bad rows between good ones: unknown namespace, invalid name, not JSON.
                        for (String[] b : new String[][] {{"nope:x", "{}"}, {"feed:has space", "{}"}, {"feed:a", "{not json"}}) {
                            insert.setString(1, b[0]);
                            insert.setString(2, b[1]);
                            insert.addBatch();
                            bad++;
                        }
                    }
                    insert.executeBatch();
                    if (commit) {
                        c.commit();
                        rows.forEach(r -> expected.get((String) r[0]).add((Integer) r[1]));
                    } else {
                        c.rollback();
                    }
                }
                for (String ch : List.of("feed:a", "feed:b")) {
                    insert.setString(1, ch);
                    insert.setString(2, "{\"done\":true}");
                    insert.executeUpdate();
                }
                c.commit();
            }
            Map<String, List<Integer>> got = Map.of("feed:a", new ArrayList<>(), "feed:b", new ArrayList<>());
            int done = 0;
            while (done < 2) {
                Envelope e = client.await(m -> m.type() == MessageType.MESSAGE, Duration.ofSeconds(20));
                String text = e.payloadText();
                if (text.contains("done")) {
                    done++;
                } else {
                    assertThat(text).as("only committed rows are published").contains("\"committed\":true");
                    got.get(e.channel()).add(Integer.parseInt(text.replaceAll(".*\"n\":(\\d+).*", "$1")));
                }
            }
            assertThat(got).as("every committed row once, in order per channel").isEqualTo(expected);
            assertThat(db.count("SELECT count(*) FROM " + db.table)).as("published rows are deleted").isZero();
            List<String> reasons = db.strings("SELECT reason FROM " + db.table + "_dead ORDER BY id");
            assertThat(reasons).hasSize(bad);
            assertThat(String.join("\n", reasons)).contains("unknown_channel: no namespace 'nope'").contains("not_json: ");
            assertThat(node.server.metrics().scrape())
                    .contains("switchboard_consumer_dead_letters_total{reason=\"not_json\",source=\"outbox\"} " + (bad / 3) + ".0")
                    .contains("switchboard_consumer_reachable{source=\"outbox\"} 1.0");
            String ready = get(node.port(), "/readyz");
            assertThat(ready).contains("\"status\":\"ready\"").contains("\"consumers\":{\"outbox\":{\"reachable\":true}}");
            // The figures the admin page shows: every committed row and the two sentinels published, the bad ones moved aside.
            long published = expected.values().stream().mapToLong(List::size).sum() + 2;
            String want = "\"consumers\":[{\"source\":\"outbox\",\"reachable\":true,\"published\":" + published
                    + ",\"deadLetters\":" + bad + ",\"errors\":0,\"lag\":0}]";
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(getWithKey(node.port(), "/api/stats")).contains(want));
        }
    }

    @Test
    void aNodeKilledMidBatchIsReplacedWithoutLossOrDuplicate() throws Exception {
        int total = 1500;
        try (TestDatabase db = new TestDatabase(); ExternalServer redis = ExternalServer.redis()) {
            // The second node may publish the rest of the rows before the client comes back: all of them must be
            // recoverable at once (the default --max-recover is 1,000, fewer than the rows this test can miss).
            ServerConfig cfg = TestServer.config().namespaces(NS).maxRecover(total).consumers(new ConsumersConfig(db.outbox(), null));
            ClusterConfig cluster = new ClusterConfig("redis", List.of(redis.url()), null, null);
            TestServer first = TestServer.start(cfg.cluster(cluster), Engines.create(cluster));
            await().atMost(Duration.ofSeconds(10)).until(() -> first.server.engine().isReady());
            AtomicInteger inserted = new AtomicInteger();
            Thread producer = new Thread(() -> {
                try (Connection c = TestDatabase.connect();
                     PreparedStatement insert = c.prepareStatement("INSERT INTO " + db.table + " (channel, payload) VALUES ('feed:k', ?)")) {
                    c.setAutoCommit(false);
                    for (int i = 1; i <= total; i++) {
                        insert.setString(1, "{\"n\":" + i + "}");
                        insert.addBatch();
                        if (i % 20 == 0) {
                            insert.executeBatch();
                            c.commit();
                            inserted.set(i);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<Long> seen = new ArrayList<>();
            String epoch;
            long last;
            try (WsClient c = first.client("reader")) {
                Envelope ack = c.subscribe("feed:k");
                assertThat(ack.type()).isEqualTo(MessageType.ACK);
                producer.start();
                // Kill the node while it is busy: some 300 rows in, with the producer still writing.
                while (seen.size() < 300) {
                    Envelope e = c.await(m -> m.type() == MessageType.MESSAGE, Duration.ofSeconds(20));
                    seen.add(Long.parseLong(e.payloadText().replaceAll("\\D", "")));
                }
                first.close();
                c.awaitClose();
                for (Envelope e; (e = c.received.poll()) != null; ) {
                    if (e.type() == MessageType.MESSAGE) {
                        seen.add(Long.parseLong(e.payloadText().replaceAll("\\D", "")));
                    }
                }
                epoch = ack.payloadText().replaceAll(".*\"epoch\":\"([^\"]+)\".*", "$1");
                last = Long.parseLong(ack.payloadText().replaceAll(".*\"offset\":(\\d+).*", "$1")) + seen.size();
            }
            TestServer second = TestServer.start(cfg.cluster(cluster), Engines.create(cluster));
            await().atMost(Duration.ofSeconds(10)).until(() -> second.server.engine().isReady());
            try (second; WsClient c = second.client("reader")) {
                Envelope ack = c.call("subscribe", "feed:k", "\"since\":{\"epoch\":\"" + epoch + "\",\"offset\":" + last + "}");
                assertThat(ack.payloadText()).as("the client recovers what it missed").contains("\"recovered\":true");
                while (seen.size() < total) {
                    Envelope e = c.await(m -> m.type() == MessageType.MESSAGE, Duration.ofSeconds(30));
                    assertThat(e.offset()).as("offsets run on from the recovery point").isEqualTo(last + 1);
                    last = e.offset();
                    seen.add(Long.parseLong(e.payloadText().replaceAll("\\D", "")));
                }
                producer.join(TimeUnit.SECONDS.toMillis(30));
                List<Long> expected = new ArrayList<>();
                for (long i = 1; i <= total; i++) {
                    expected.add(i);
                }
                assertThat(seen).as("every row exactly once, in order, across the kill").isEqualTo(expected);
                await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM " + db.table) == 0);
            }
        }
    }

    @Test
    void anOutboxThatCannotBeReachedIsReportedWithoutTakingTheNodeDown() throws Exception {
        ConsumersConfig unreachable = new ConsumersConfig(io.switchboard.server.config.OutboxConfig.of("jdbc:postgresql://127.0.0.1:1/test"), null);
        try (TestServer node = TestServer.start(TestServer.config().namespaces(NS).consumers(unreachable));
             WsClient client = node.client("still-works")) {
            assertThat(client.publish("feed:x", "{\"ok\":true}").type()).isEqualTo(MessageType.ACK);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(get(node.port(), "/readyz"))
                    .contains("\"status\":\"ready\"").contains("\"outbox\":{\"reachable\":false,\"problem\":\""));
            assertThat(node.server.metrics().scrape()).contains("switchboard_consumer_reachable{source=\"outbox\"} 0.0");
        }
    }

    static String getWithKey(int port, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", API_KEY).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    static String get(int port, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }
}
