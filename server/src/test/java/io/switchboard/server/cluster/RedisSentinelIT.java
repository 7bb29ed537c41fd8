package io.switchboard.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.RedisSentinelServers;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a Sentinel-managed Redis ({@code redis-sentinel://…#sbprimary}: a primary, a replica, three
 * Sentinels) while a publisher keeps publishing, retrying each publication with its idempotency key until it
 * is acknowledged, as the SDKs do. Two failovers mid-traffic: one asked of a Sentinel ({@code SENTINEL
 * FAILOVER}: the old primary lives on as a replica) and one forced by SIGKILLing the primary. After each,
 * both nodes' command and pub/sub connections must find the new primary by themselves; afterwards the test
 * counts how many acknowledged publications the history still has (asynchronous replication may lose the
 * last ones before a SIGKILL) and prints the figures docs/cluster.md quotes.
 */
class RedisSentinelIT {

    private static final String CHANNEL = "feed:x";

    /** One acknowledged publication: its payload and the position the ack gave it. */
    private record Acked(int n, long offset, String epoch) {
    }

    @Test
    void bothNodesFollowTheNewPrimaryAfterAFailoverAndTheHistoryKeepsWhatWasReplicated() throws Exception {
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.plain("feed").withHistory(10_000, Duration.ofMinutes(10))).build();
        try (RedisSentinelServers redis = RedisSentinelServers.start();
             Nodes nodes = Nodes.start(2, TestServer.config().namespaces(ns), redis.url(), null, 0);
             WsClient sub0 = nodes.get(0).client("s0");
             WsClient sub1 = nodes.get(1).client("s1")) {
            assertThat(sub0.subscribe(CHANNEL).type()).isEqualTo(MessageType.ACK);
            assertThat(sub1.subscribe(CHANNEL).type()).isEqualTo(MessageType.ACK);
            List<Acked> acked = new CopyOnWriteArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<?> publisher = pool.submit(() -> {
                try (WsClient a = nodes.get(0).client("pa"); WsClient b = nodes.get(1).client("pb")) {
                    for (int n = 1; running.get(); n++) {
                        WsClient via = n % 2 == 0 ? a : b;
                        while (true) {
                            Envelope r = via.call("publish", CHANNEL, "\"payload\":" + n + ",\"idempotencyKey\":\"k" + n + "\"");
                            if (r.type() == MessageType.ACK) {
                                String t = r.payloadText();
                                acked.add(new Acked(n, Long.parseLong(t.replaceAll(".*\"offset\":(\\d+).*", "$1")),
                                        t.replaceAll(".*\"epoch\":\"([^\"]*)\".*", "$1")));
                                break;
                            }
                            assertThat(r.code()).as("a publish refused during a failover: %s", r).isEqualTo("unavailable");
                            refused.incrementAndGet();
                            Thread.sleep(50);
                        }
                        Thread.sleep(3);
                    }
                }
                return null;
            });
            ExternalServer first = redis.servers.get(0);
            ExternalServer second = redis.servers.get(1);

            // 1. A failover asked of a Sentinel: the old primary is demoted to a replica and stays up.
            int beforeAsked = awaitAcks(acked, 100);
            long askedAt = System.nanoTime();
            assertThat(redis.sentinels.get(0).redisQuery("SENTINEL", "FAILOVER", RedisSentinelServers.MASTER)).isEqualTo("+OK");
            redis.awaitHealthy(second);
            awaitAcks(acked, acked.size() + 100);
            long asked = System.nanoTime() - askedAt;

            // 2. The primary SIGKILLed: whatever it acknowledged but had not yet sent to the replica is gone.
            Acked lastBeforeKill = acked.get(acked.size() - 1);
            int refusedBefore = refused.get();
            long killedAt = System.nanoTime();
            int beforeKill = acked.size();
            second.kill();
            Awaitility.await("the Sentinels promote the replica").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> redis.primary() == first);
            int promotedAt = acked.size();
            awaitAcks(acked, promotedAt + 200);
            long killed = System.nanoTime() - killedAt;
            running.set(false);
            publisher.get(60, TimeUnit.SECONDS);
            pool.shutdownNow();

            // What the history holds now, read through each node.
            Map<Long, String> history = history(sub1);
            assertThat(history(sub0)).isEqualTo(history);
            // Acknowledged publications no longer in the history (gone, or their offset reused by a later one),
            // by when they were acknowledged: before the asked failover, between it and the SIGKILL, after that.
            int[] lost = new int[3];
            int overwritten = 0;
            for (int i = 0; i < acked.size(); i++) {
                Acked a = acked.get(i);
                String there = history.get(a.offset());
                if (there == null || !there.equals(Integer.toString(a.n()))) {
                    lost[i < beforeAsked ? 0 : i < beforeKill ? 1 : 2]++;
                    overwritten += there == null ? 0 : 1;
                }
            }
            Acked last = acked.get(acked.size() - 1);
            System.out.printf("sentinel failover: %d publications acknowledged (%d before the SIGKILL); asked failover "
                            + "%d refused publishes, %d ms to 100 acks after; SIGKILL %d refused publishes, %d ms to 200 acks "
                            + "after; acknowledged publications not in the history: %d before the asked failover, %d between "
                            + "it and the SIGKILL, %d after (%d of them with their offset reused); last offset %d, epoch %s "
                            + "(was %s)%n",
                    acked.size(), beforeKill, refusedBefore, asked / 1_000_000, refused.get() - refusedBefore,
                    killed / 1_000_000, lost[0], lost[1], lost[2], overwritten, last.offset(), last.epoch(), lastBeforeKill.epoch());

            assertThat(refused.get() - refusedBefore).as("the publisher met the SIGKILL's outage").isPositive();
            // Everything acknowledged once the replica was promoted is in the history, under its acked offset.
            for (Acked a : acked.subList(promotedAt, acked.size())) {
                assertThat(history.get(a.offset())).as("publication %d at offset %d", a.n(), a.offset())
                        .isEqualTo(Integer.toString(a.n()));
            }
            // Both nodes' pub/sub connections follow the primary: the last publication reaches both subscribers.
            for (WsClient s : List.of(sub0, sub1)) {
                s.await(e -> e.type() == MessageType.MESSAGE && e.offset() != null && e.offset() == last.offset(),
                        Duration.ofSeconds(30));
            }
        }
    }

    /** Waits until at least {@code n} publications were acknowledged; returns how many there are. */
    private static int awaitAcks(List<Acked> acked, int n) {
        Awaitility.await(n + " acknowledged publications").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= n);
        return acked.size();
    }

    /** offset -> payload of the whole history, read through one client a page (at most 1,000) at a time. */
    private static Map<Long, String> history(WsClient c) throws InterruptedException {
        Map<Long, String> out = new HashMap<>();
        String since = null;
        while (true) {
            Envelope h = c.call("history", CHANNEL, "\"limit\":1000" + (since == null ? "" : ",\"since\":" + since));
            assertThat(h.type()).as("%s", h).isEqualTo(MessageType.ACK);
            String text = h.payloadText();
            String epoch = text.replaceAll("^\\{\"epoch\":\"([^\"]*)\".*", "$1");
            var m = java.util.regex.Pattern.compile("\"offset\":(\\d+)[^{}]*?\"payload\":(\\d+)").matcher(text);
            long last = -1;
            while (m.find()) {
                last = Long.parseLong(m.group(1));
                out.put(last, m.group(2));
            }
            if (last < 0) {
                break;
            }
            since = "{\"epoch\":\"" + epoch + "\",\"offset\":" + last + "}";
        }
        assertThat(out).as("history read").isNotEmpty();
        return out;
    }
}
