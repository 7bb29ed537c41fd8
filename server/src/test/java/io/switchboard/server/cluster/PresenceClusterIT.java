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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Presence on three nodes sharing the test's own Redis: members join on every node, each node's watcher gets
 * the joins of all three coalesced into a few diffs (not one push per join) and ends with the exact member
 * list; past the threshold every watcher gets the same exact count; the paged list is the same from any node.
 */
class PresenceClusterIT {

    private static final Pattern USERS = Pattern.compile("\"(joins|leaves)\":\\[([^\\]]*)\\]");
    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"");
    private static final Pattern CLIENT = Pattern.compile("\"clientId\":\"([^\"]+)\"");

    private static final Pattern USER = Pattern.compile("\"userId\":\"([^\"]+)\"");

    /** Applies every diff a watcher got, in order, to the list it read: the member list it would show. */
    private static Set<String> listFromDiffs(WsClient w, Set<String> snapshot) {
        Set<String> members = new TreeSet<>(snapshot);
        for (Envelope e : w.received) {
            if (e.type() != MessageType.PRESENCE_DIFF) {
                continue;
            }
            Matcher m = USERS.matcher(e.payloadText());
            while (m.find()) {
                for (String u : m.group(2).split(",")) {
                    if (!u.isEmpty()) {
                        String user = u.substring(1, u.length() - 1);
                        if (m.group(1).equals("joins")) {
                            members.add(user);
                        } else {
                            members.remove(user);
                        }
                    }
                }
            }
        }
        return members;
    }

    @Test
    void membersOnThreeNodesReachEveryNodeAsCoalescedDiffsThenAsOneExactCount() throws Exception {
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.plain("room").withPresence(true, true).withPresenceWindow(Duration.ofMillis(200), 20))
                .build();
        List<WsClient> members = new ArrayList<>();
        List<WsClient> watchers = new ArrayList<>();
        try (ExternalServer redis = ExternalServer.redis();
             Nodes nodes = Nodes.start(3, TestServer.config().namespaces(ns), redis.url(), null, 0)) {
            try {
                for (int n = 0; n < 3; n++) {
                    WsClient w = nodes.get(n).client("watch" + n);
                    assertThat(w.subscribe("room:x").type()).isEqualTo(MessageType.ACK);
                    watchers.add(w);
                }
                // As a client does: read the list once, then follow the diffs.
                List<Set<String>> snapshots = new ArrayList<>();
                for (WsClient w : watchers) {
                    Awaitility.await().atMost(Duration.ofSeconds(10))
                            .until(() -> w.call("presence", "room:x", null).payloadText().contains("\"users\":3"));
                    w.received.clear();
                    Set<String> snap = new TreeSet<>();
                    Matcher u = USER.matcher(w.call("presence", "room:x", null).payloadText());
                    while (u.find()) {
                        snap.add(u.group(1));
                    }
                    snapshots.add(snap);
                }
                Set<String> expected = new TreeSet<>(List.of("watch0", "watch1", "watch2"));
                for (int i = 0; i < 12; i++) {
                    WsClient m = nodes.get(i % 3).client("m" + i);
                    assertThat(m.subscribe("room:x").type()).isEqualTo(MessageType.ACK);
                    members.add(m);
                    expected.add("m" + i);
                }
                members.remove(4).close(); // one leaves again (from node 1)
                expected.remove("m4");
                for (int n = 0; n < 3; n++) {
                    WsClient w = watchers.get(n);
                    Set<String> snap = snapshots.get(n);
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> listFromDiffs(w, snap).equals(expected));
                    long diffs = w.received.stream().filter(e -> e.type() == MessageType.PRESENCE_DIFF).count();
                    assertThat(diffs).as("16 joins and leaves from three nodes, coalesced").isLessThan(16);
                }

                // Past the threshold of 20 users: every node's watcher ends on the same exact count.
                for (int i = 12; i < 24; i++) {
                    WsClient m = nodes.get(i % 3).client("m" + i);
                    assertThat(m.subscribe("room:x").type()).isEqualTo(MessageType.ACK);
                    members.add(m);
                }
                for (WsClient w : watchers) {
                    w.await(e -> e.type() == MessageType.PRESENCE_COUNT && e.payloadText().equals("{\"users\":26}"), Duration.ofSeconds(10));
                }

                // The list, paged from each node: the same 26 connections, each once.
                for (int n = 0; n < 3; n++) {
                    List<String> listed = new ArrayList<>();
                    String cursor = null;
                    do {
                        String extra = "\"limit\":10" + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"");
                        Envelope page = watchers.get(n).call("presence", "room:x", extra);
                        assertThat(page.payloadText()).contains("\"users\":26", "\"connections\":26");
                        Matcher c = CLIENT.matcher(page.payloadText());
                        while (c.find()) {
                            listed.add(c.group(1));
                        }
                        Matcher m = CURSOR.matcher(page.payloadText());
                        cursor = m.find() ? m.group(1) : null;
                    } while (cursor != null);
                    assertThat(listed).hasSize(26).doesNotHaveDuplicates().isSorted();
                }
            } finally {
                members.forEach(WsClient::close);
                watchers.forEach(WsClient::close);
            }
        }
    }
}
