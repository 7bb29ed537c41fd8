package io.switchboard.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.RedisClusterServers;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three in-process nodes on a Redis Cluster of three primaries ({@code redis-cluster://}, issue 17 item 2):
 * the channels' keys spread over the Redis nodes by hash slot, and what a cluster of Switchboard nodes
 * promises still holds across them: delivery from any node to any node in offset order, recovery with
 * {@code since} on another node, an idempotent retry through another node, and presence.
 */
class RedisClusterIT {

    private static RedisClusterServers redis;
    private static Nodes nodes;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisClusterServers.start();
        nodes = Nodes.start(3, TestServer.config(), redis.url(), null, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
        redis.close();
    }

    @Test
    void channelsSpreadOverTheRedisNodesAreDeliveredAcrossSwitchboardNodesInOrder() throws Exception {
        try (WsClient sub = nodes.get(1).client("sub"); WsClient pub = nodes.get(0).client("pub")) {
            List<String> channels = new ArrayList<>();
            for (int c = 0; c < 12; c++) {
                channels.add("chat:spread" + c);
                assertThat(sub.subscribe(channels.get(c)).type()).isEqualTo(MessageType.ACK);
            }
            for (int round = 1; round <= 3; round++) {
                for (String ch : channels) {
                    Envelope ack = pub.publish(ch, "{\"r\":" + round + "}");
                    assertThat(ack.type()).as("publish to %s: %s", ch, ack).isEqualTo(MessageType.ACK);
                }
            }
            for (String ch : channels) {
                List<Long> offsets = new ArrayList<>();
                while (offsets.size() < 3) {
                    Envelope e = sub.await(x -> x.type() == MessageType.MESSAGE && ch.equals(x.channel()), Duration.ofSeconds(10));
                    offsets.add(e.offset());
                }
                assertThat(offsets).as("offsets on %s", ch).containsExactly(1L, 2L, 3L);
            }
            // Each channel's stream lives on one Redis node, and more than one node holds some.
            List<Integer> streams = redis.keysPerNode("sb:{chat:spread*}:s");
            assertThat(streams.stream().mapToInt(Integer::intValue).sum()).isEqualTo(12);
            assertThat(streams.stream().filter(n -> n > 0).count()).as("Redis nodes holding streams: %s", streams).isGreaterThan(1);
        }
    }

    @Test
    void aClientRecoversWithSinceOnAnotherNode() throws Exception {
        String ch = "chat:recover";
        String epoch;
        long seen;
        try (WsClient pub = nodes.get(0).client("pub"); WsClient first = nodes.get(2).client("reader")) {
            assertThat(first.subscribe(ch).type()).isEqualTo(MessageType.ACK);
            pub.publish(ch, "1");
            Envelope m = first.awaitType(MessageType.MESSAGE);
            epoch = m.epoch();
            seen = m.offset();
            first.close();
            for (int i = 2; i <= 6; i++) {
                assertThat(pub.publish(ch, Integer.toString(i)).type()).isEqualTo(MessageType.ACK);
            }
        }
        try (WsClient again = nodes.get(1).client("reader")) {
            Envelope ack = again.call("subscribe", ch, "\"since\":{\"epoch\":\"" + epoch + "\",\"offset\":" + seen + "}");
            assertThat(ack.payloadText()).as("%s", ack).contains("\"recovered\":true");
            List<Long> offsets = new ArrayList<>();
            for (Envelope e : again.messages(5, Duration.ofSeconds(10))) {
                offsets.add(e.offset());
            }
            assertThat(offsets).containsExactly(seen + 1, seen + 2, seen + 3, seen + 4, seen + 5);
        }
    }

    @Test
    void aPublishRetriedThroughAnotherNodeIsRecognisedByItsKey() throws Exception {
        String ch = "chat:idem";
        try (WsClient a = nodes.get(0).client("pub"); WsClient b = nodes.get(2).client("pub")) {
            Envelope first = a.call("publish", ch, "\"payload\":1,\"idempotencyKey\":\"once\"");
            Envelope retry = b.call("publish", ch, "\"payload\":1,\"idempotencyKey\":\"once\"");
            Envelope other = b.call("publish", ch, "\"payload\":2,\"idempotencyKey\":\"twice\"");
            assertThat(first.type()).isEqualTo(MessageType.ACK);
            assertThat(retry.payloadText()).isEqualTo(first.payloadText());
            assertThat(other.payloadText()).contains("\"offset\":2");
            Envelope history = b.call("history", ch, "\"limit\":10");
            assertThat(history.payloadText()).as("%s", history).contains("\"offset\":1").contains("\"offset\":2")
                    .doesNotContain("\"offset\":3");
        }
    }

    @Test
    void presenceIsSharedByEveryNode() throws Exception {
        String ch = "chat:room";
        try (WsClient watcher = nodes.get(1).client("watcher");
             WsClient m1 = nodes.get(0).client("m1");
             WsClient m2 = nodes.get(2).client("m2")) {
            assertThat(watcher.subscribe(ch).type()).isEqualTo(MessageType.ACK);
            assertThat(m1.subscribe(ch).type()).isEqualTo(MessageType.ACK);
            assertThat(m2.subscribe(ch).type()).isEqualTo(MessageType.ACK);
            // One diff may announce both (presence is coalesced per window): collect until both were seen.
            java.util.Set<String> online = new java.util.HashSet<>();
            while (!online.containsAll(java.util.List.of("m1", "m2"))) {
                Envelope e = watcher.await(x -> x.type() == MessageType.PRESENCE_DIFF || x.type() == MessageType.PRESENCE_UPDATE,
                        Duration.ofSeconds(10));
                for (String u : java.util.List.of("m1", "m2")) {
                    if (isPresence(e, u, "online")) {
                        online.add(u);
                    }
                }
            }
            assertThat(watcher.call("presence", ch, null).payloadText()).contains("\"m1\"", "\"m2\"", "\"watcher\"");
            m2.close();
            watcher.await(e -> isPresence(e, "m2", "offline"), Duration.ofSeconds(10));
            try (WsClient reader = nodes.get(0).client("reader")) {
                assertThat(reader.call("presence", ch, null).payloadText()).contains("\"m1\"").doesNotContain("\"m2\"");
            }
        }
    }

    /** A per-change presenceUpdate, or a presenceDiff (the default chat namespace's) listing the user there. */
    private static boolean isPresence(Envelope e, String user, String status) {
        if (e.type() == MessageType.PRESENCE_DIFF) {
            String list = status.equals("online") ? "joins" : "leaves";
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + list + "\":\\[([^\\]]*)\\]").matcher(e.payloadText());
            return m.find() && m.group(1).contains("\"" + user + "\"");
        }
        return e.type() == MessageType.PRESENCE_UPDATE && e.payloadText().contains("\"userId\":\"" + user + "\"")
                && e.payloadText().contains("\"status\":\"" + status + "\"");
    }
}
