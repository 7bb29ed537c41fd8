package io.switchboard.server.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Who is present in which channel, cluster-wide: one entry per connection, living for a TTL unless its
 * node renews it, so that the entries of a node that died go away by themselves. A user's first entry in
 * a channel is announced {@code online} and its last one {@code offline}, through
 * {@link PublicationSink#onPresenceUpdate} on every node subscribed to the channel.
 */
public interface PresenceStore {

    /**
     * Adds or renews a connection's entry for {@code ttl}. Renewing an entry never announces anything. A
     * failed future means the entry may not be there (or not renewed); the next renewal repairs it.
     */
    CompletableFuture<Void> presenceJoin(String channel, PresenceEntry entry, Duration ttl);

    /** Removes a connection's entry. A failed future means it may still be there until its TTL runs out. */
    CompletableFuture<Void> presenceLeave(String channel, String clientId);

    /** Everyone present in a channel, one entry per connection. A failed future means nothing was read. */
    CompletableFuture<List<PresenceEntry>> presence(String channel);
}
