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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redis is killed and started again (its append-only file keeps what it acknowledged) while two nodes
 * serve subscribers and a publisher keeps publishing, retrying each publication with its idempotency key
 * until it is acknowledged. Issue 12, items 2, 3 and 4: the subscribers of a history channel get every
 * acknowledged offset once, in order, with no `unsubscribed` push; and the members of a presence channel
 * are not announced offline and online again by an outage shorter than the presence TTL.
 */
class RedisOutageIT {

    @ParameterizedTest(name = "broker {0}")
    @ValueSource(strings = {"redis", "nats"})
    void historySubscribersRideOutARedisRestartWithoutAGapOrAnUnsubscribe(String broker) throws Exception {
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.plain("feed").withHistory(10_000, Duration.ofMinutes(10))).build();
        try (ExternalServer redis = ExternalServer.persistentRedis();
             ExternalServer nats = broker.equals("nats") ? ExternalServer.nats() : null;
             Nodes nodes = Nodes.start(2, TestServer.config().namespaces(ns), redis.url(), nats == null ? null : nats.url(), 0)) {
            List<WsClient> subs = new ArrayList<>();
            List<Long> firstOffsets = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                WsClient c = nodes.get(i % 2).client("s" + i);
                subs.add(c);
                Envelope ack = c.subscribe("feed:x");
                firstOffsets.add(Long.parseLong(ack.payloadText().replaceAll(".*\"offset\":(\\d+).*", "$1")));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            List<Long> ackedOffsets = new ArrayList<>();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Integer> publisher = pool.submit(() -> {
                int retries = 0;
                try (WsClient a = nodes.get(0).client("pa"); WsClient b = nodes.get(1).client("pb")) {
                    for (int n = 1; running.get(); n++) {
                        WsClient via = n % 2 == 0 ? a : b;
                        while (true) {
                            Envelope r = via.call("publish", "feed:x", "\"payload\":" + n + ",\"idempotencyKey\":\"k" + n + "\"");
                            if (r.type() == MessageType.ACK) {
                                ackedOffsets.add(Long.parseLong(r.payloadText().replaceAll(".*\"offset\":(\\d+).*", "$1")));
                                break;
                            }
                            assertThat(r.code()).as("a publish refused while Redis is away: %s", r).isEqualTo("unavailable");
                            retries++;
                            Thread.sleep(50);
                        }
                        Thread.sleep(5);
                    }
                }
                return retries;
            });
            awaitOffset(subs.get(0), firstOffsets.get(0) + 50);
            redis.kill();
            Thread.sleep(1500); // the outage
            redis.launch();
            awaitOffset(subs.get(1), firstOffsets.get(1) + ackedOffsets.size() + 100);
            running.set(false);
            int retries = publisher.get(60, TimeUnit.SECONDS);
            pool.shutdownNow();
            assertThat(retries).as("the publisher met the outage").isPositive();
            long lastAcked = ackedOffsets.get(ackedOffsets.size() - 1);
            for (int i = 0; i < subs.size(); i++) {
                List<Long> got = new ArrayList<>();
                long expected = firstOffsets.get(i) + 1;
                while (expected <= lastAcked) {
                    Envelope e = subs.get(i).await(x -> true, Duration.ofSeconds(30));
                    assertThat(e.type()).as("subscriber %d after offsets %s: %s", i, tail(got), e).isEqualTo(MessageType.MESSAGE);
                    assertThat(e.offset()).as("subscriber %d after offsets %s", i, tail(got)).isEqualTo(expected);
                    got.add(e.offset());
                    expected++;
                }
            }
            subs.forEach(WsClient::close);
        }
    }

    @Test
    void presenceMembersAreNotAnnouncedOfflineByAnOutageShorterThanTheTtl() throws Exception {
        Namespaces ns = Namespaces.builder().put(NamespaceConfig.plain("room").withHistory(100, Duration.ofMinutes(10)).withPresence(true, true)
                // one presenceUpdate per change, so that every false offline/online would show on its own
                .withPresenceWindow(Duration.ZERO, 0)).build();
        try (ExternalServer redis = ExternalServer.persistentRedis();
             Nodes nodes = Nodes.start(2, TestServer.config().namespaces(ns).presenceTtl(Duration.ofSeconds(3)), redis.url(), null, 0);
             WsClient watcher = nodes.get(0).client("watcher");
             WsClient m1 = nodes.get(0).client("m1");
             WsClient m2 = nodes.get(1).client("m2")) {
            assertThat(watcher.subscribe("room:x").type()).isEqualTo(MessageType.ACK);
            assertThat(m1.subscribe("room:x").type()).isEqualTo(MessageType.ACK);
            assertThat(m2.subscribe("room:x").type()).isEqualTo(MessageType.ACK);
            watcher.await(e -> isPresence(e, "m2", "online"), Duration.ofSeconds(10));
            watcher.received.clear();

            // Entries are renewed every TTL/3 = 1 s: after 2.8 s without Redis, most of them are overdue.
            redis.kill();
            Thread.sleep(2800); // the outage
            redis.launch();

            // The sentinel: a member who joins well after every node is back and past the sweep grace. Any
            // false offline/online of m1 or m2 would have been pushed before it.
            Thread.sleep(6000); // let the nodes reconnect and pass the grace: the window the false pushes came in
            try (WsClient m3 = nodes.get(1).client("m3")) {
                assertThat(m3.subscribe("room:x").type()).isEqualTo(MessageType.ACK);
                List<String> seen = new ArrayList<>();
                while (true) {
                    Envelope e = watcher.await(x -> x.type() == MessageType.PRESENCE_UPDATE, Duration.ofSeconds(20));
                    seen.add(e.payloadText());
                    if (isPresence(e, "m3", "online")) {
                        break;
                    }
                }
                assertThat(seen).as("presence pushes up to m3's join").hasSize(1);
                Envelope list = watcher.call("presence", "room:x", null);
                assertThat(list.payloadText()).contains("\"m1\"", "\"m2\"", "\"m3\"");
            }
        }
    }

    private static boolean isPresence(Envelope e, String user, String status) {
        return e.type() == MessageType.PRESENCE_UPDATE && e.payloadText().contains("\"userId\":\"" + user + "\"")
                && e.payloadText().contains("\"status\":\"" + status + "\"");
    }

    private static void awaitOffset(WsClient c, long offset) throws InterruptedException {
        // Peeks without consuming: the checks at the end read every message in order.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> c.received.stream()
                .anyMatch(e -> e.type() == MessageType.MESSAGE && e.offset() >= offset));
    }

    private static List<Long> tail(List<Long> got) {
        return got.subList(Math.max(0, got.size() - 5), got.size());
    }
}
