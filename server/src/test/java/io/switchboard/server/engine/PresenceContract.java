package io.switchboard.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Presence: one entry per connection, listed on every node; {@code online} for a user's first connection
 * and {@code offline} for its last, to every node subscribed to the channel; an entry that its node
 * stops renewing expires after its TTL and is announced, while a renewed one stays.
 */
public interface PresenceContract extends ContractSupport {

    Duration LONG = Duration.ofMinutes(1);

    @Test
    default void joinListAndLeaveWithOnlineForTheFirstConnectionAndOfflineForTheLast() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("presence");
        a.subscribe(ch);
        b.subscribe(ch);
        a.join(ch, "c1", "ann", "{\"tab\":1}", LONG);
        b.join(ch, "c2", "ann", "{\n \"tab\": 2\n}", LONG);
        a.join(ch, "c3", "bo", null, LONG);

        for (TestNode n : List.of(a, b)) {
            Map<String, PresenceEntry> byClient = n.presence(ch).stream()
                    .collect(Collectors.toMap(PresenceEntry::clientId, Function.identity()));
            assertThat(byClient).containsOnlyKeys("c1", "c2", "c3");
            assertThat(byClient.get("c1").userId()).isEqualTo("ann");
            assertThat(TestNode.text(byClient.get("c2").info())).isEqualTo("{\n \"tab\": 2\n}");
            assertThat(byClient.get("c3").info()).isNull();
            assertThat(users(n, ch)).as("the presence count: distinct users").isEqualTo(2);
        }

        a.join(ch, "c1", "ann", "{\"tab\":1}", LONG); // a renewal: no announcement, still one entry
        assertThat(a.presence(ch)).hasSize(3);
        a.leave(ch, "c1");                            // ann still has c2: no offline yet
        a.leave(ch, "nobody");                        // unknown: nothing happens
        assertThat(b.presence(ch)).extracting(PresenceEntry::clientId).containsExactlyInAnyOrder("c2", "c3");
        b.leave(ch, "c2");                            // ann's last connection

        List<String> expected = List.of(ch + ":ann:online", ch + ":bo:online", ch + ":ann:offline");
        for (TestNode n : List.of(a, b)) {
            TestNode.eventually().until(() -> n.presenceUpdates.size() >= 3);
            assertThat(n.presenceUpdates).containsExactlyElementsOf(expected);
            assertThat(n.presence(ch)).extracting(PresenceEntry::clientId).containsExactly("c3");
        }
    }

    /**
     * Pages: ordered by connection id, each at most the limit, every connection that stays throughout listed
     * exactly once while others join and leave between pages; the counts are the whole channel's, and every
     * update carries the channel's user count.
     */
    @Test
    default void presenceIsPagedByConnectionIdWithAStablePositionAndUpdatesCarryTheUserCount() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("paged");
        a.subscribe(ch);
        for (int i = 0; i < 25; i++) {
            (i % 2 == 0 ? a : b).join(ch, String.format("c%02d", i), "u" + (i % 10), null, LONG);
        }
        TestNode.eventually().until(() -> a.presenceUpdates.size() >= 10);
        // Each first-join's update carries the count after it: the tenth says 10, none says more. (The
        // latest to arrive may be an earlier one: two nodes' updates have no order over NATS.)
        assertThat(a.presenceCountMax.get(ch)).as("10 users after the last first-join").isEqualTo(10L);
        List<String> listed = new java.util.ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            PresencePage page = b.page(ch, after, 7);
            assertThat(page.entries().size()).isLessThanOrEqualTo(7);
            assertThat(page.users()).isEqualTo(10);
            page.entries().forEach(e -> listed.add(e.clientId()));
            after = page.next();
            if (pages == 0) {
                a.leave(ch, "c24");            // after the cursor: gone before it is reached
                a.join(ch, "c99", "u9", null, LONG);   // after the cursor: listed
                a.join(ch, "c00a", "u0", null, LONG);  // before it: not listed, nothing skipped
            }
            pages++;
        } while (after != null);
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            expected.add(String.format("c%02d", i));
        }
        expected.add("c99");
        assertThat(listed).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(4);
        assertThat(a.page(ch, null, 1000).clients()).isEqualTo(26);
        assertThat(a.page(ch, "zzz", 5).entries()).isEmpty();
    }

    /** Presence changes go only to nodes subscribed to the channel; the sentinel channel shows when. */
    @Test
    default void presenceChangesReachOnlySubscribedNodes() {
        TestNode a = node();
        TestNode b = peer(a);
        String quiet = channel("quiet");
        String sentinel = channelBeside(quiet, "sentinel");
        a.subscribe(sentinel);
        b.join(quiet, "c1", "ann", null, LONG);
        b.join(sentinel, "c2", "bo", null, LONG);
        TestNode.eventually().until(() -> a.presenceUpdates.contains(sentinel + ":bo:online"));
        assertThat(a.presenceUpdates).containsExactly(sentinel + ":bo:online");
        assertThat(a.presence(quiet)).extracting(PresenceEntry::clientId).containsExactly("c1");
    }

    /**
     * A node stops renewing (in a cluster it is closed, as when it dies): its entry disappears after the
     * TTL and {@code offline} goes out, while an entry of the same TTL that its node keeps renewing stays.
     */
    @Test
    default void anEntryExpiresWhenItsNodeStopsRenewingAndARenewedOneStays() throws Exception {
        TestNode dying = node();
        TestNode watcher = peer(dying);
        String ch = channel("ttl");
        watcher.subscribe(ch);
        Duration ttl = Duration.ofMillis(600);
        dying.join(ch, "gone", "ann", null, ttl);
        watcher.join(ch, "kept", "bo", null, ttl);
        ScheduledExecutorService renew = Executors.newSingleThreadScheduledExecutor();
        try {
            renew.scheduleAtFixedRate(() -> watcher.join(ch, "kept", "bo", null, ttl), 100, 100, TimeUnit.MILLISECONDS);
            if (sharesState()) {
                dying.close();
            }
            TestNode.eventually().until(() -> watcher.presenceUpdates.contains(ch + ":ann:offline"));
            assertThat(watcher.presence(ch)).extracting(PresenceEntry::clientId).containsExactly("kept");
        } finally {
            renew.shutdownNow();
            renew.awaitTermination(5, TimeUnit.SECONDS);
        }
        // The two joins came from two nodes: with NATS their announcements have no order between them.
        assertThat(watcher.presenceUpdates).hasSize(3);
        assertThat(watcher.presenceUpdates.subList(0, 2)).containsExactlyInAnyOrder(ch + ":ann:online", ch + ":bo:online");
        assertThat(watcher.presenceUpdates.get(2)).isEqualTo(ch + ":ann:offline");
    }

    private static long users(TestNode n, String ch) {
        return n.presence(ch).stream().map(PresenceEntry::userId).distinct().count();
    }
}
