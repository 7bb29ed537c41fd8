package io.switchboard.server.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Who is present in which channel, cluster-wide: one entry per connection, living for a TTL unless its
 * node renews it, so that the entries of a node that died go away by themselves. A user's first entry in
 * a channel is announced {@code online} and its last one {@code offline}, through
 * {@link PublicationSink#onPresenceUpdate} on every node subscribed to the channel, with the channel's user
 * count. No call reads the whole channel, except {@link #presence} which is meant to.
 */
public interface PresenceStore {

    /**
     * Adds or renews a connection's entry for {@code ttl}. Renewing an entry never announces anything. A
     * failed future means the entry may not be there (or not renewed); the next renewal repairs it.
     */
    CompletableFuture<Void> presenceJoin(String channel, PresenceEntry entry, Duration ttl);

    /** Removes a connection's entry. A failed future means it may still be there until its TTL runs out. */
    CompletableFuture<Void> presenceLeave(String channel, String clientId);

    /**
     * Up to {@code limit} (at least 1) entries whose {@code clientId} comes after {@code after} (null: from the
     * first), ordered by {@code clientId}, with the channel's counts. Paging with {@link PresencePage#next()}
     * lists every entry that stays present throughout exactly once, whatever joins and leaves meanwhile; its
     * cost grows with {@code limit}, not with the channel. A failed future means nothing was read.
     */
    CompletableFuture<PresencePage> presencePage(String channel, String after, int limit);

    /** Everyone present in a channel, one entry per connection (every page). A failed future means nothing was read. */
    default CompletableFuture<List<PresenceEntry>> presence(String channel) {
        List<PresenceEntry> all = new java.util.ArrayList<>();
        return allPages(channel, null, all).thenApply(x -> all);
    }

    private CompletableFuture<Void> allPages(String channel, String after, List<PresenceEntry> into) {
        return presencePage(channel, after, 1000).thenCompose(page -> {
            into.addAll(page.entries());
            return page.next() == null ? CompletableFuture.completedFuture(null) : allPages(channel, page.next(), into);
        });
    }
}
