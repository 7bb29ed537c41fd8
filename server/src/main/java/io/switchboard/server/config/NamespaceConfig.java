package io.switchboard.server.config;

import java.time.Duration;

/**
 * The options every channel of one namespace shares. A channel {@code ns:rest} takes namespace
 * {@code ns}'s; a name without a colon takes the default namespace's ({@code ""}).
 *
 * @param historySize     messages kept per channel; 0 means the channel keeps no history (and so no offsets)
 * @param historyTtl      how long a message is kept; older ones are dropped even under historySize
 * @param streamTtl       how long a stream's epoch and offset outlive its last publication; after that the
 *                        stream is forgotten and the next publication starts a new epoch
 * @param presence        whether the channel tracks who is subscribed
 * @param joinLeave       whether subscribers get {@code presenceUpdate} pushes (needs presence)
 * @param subscribe       who may subscribe
 * @param publish         who may publish
 * @param historyAccess   who may read history and recover
 * @param presenceAccess  who may read presence
 * @param echo            whether a publisher subscribed to the channel gets its own publications
 * @param presenceWindow  how long joins and leaves are gathered into one {@code presenceDiff} push; zero
 *                        sends one {@code presenceUpdate} per change instead (the first v1 behaviour)
 * @param presenceCountsAbove over this many users present, subscribers get {@code presenceCount} pushes
 *                        (at most one per window) instead of diffs; only with a window
 */
public record NamespaceConfig(String name, int historySize, Duration historyTtl, Duration streamTtl, boolean presence,
                              boolean joinLeave, Access subscribe, Access publish, Access historyAccess,
                              Access presenceAccess, boolean echo, Duration presenceWindow, int presenceCountsAbove) {

    /** Default window of a namespace that does not set {@code presence-window}. */
    public static final Duration DEFAULT_PRESENCE_WINDOW = Duration.ofMillis(200);
    /** Default user count above which a channel gets counts instead of diffs. */
    public static final int DEFAULT_COUNTS_ABOVE = 1000;

    public NamespaceConfig {
        if (presenceWindow.isNegative()) {
            throw new IllegalArgumentException("presence-window must not be negative");
        }
        if (presenceCountsAbove < 0) {
            throw new IllegalArgumentException("presence-counts-above must be 0 or more");
        }
    }

    /**
     * A namespace as shipped: live pub/sub only; anyone connected may subscribe and read (anonymous
     * connections exist only with --allow-anonymous), only users with a token may publish.
     */
    public static NamespaceConfig plain(String name) {
        return new NamespaceConfig(name, 0, Duration.ofMinutes(10), Duration.ofHours(24), false, false,
                Access.ANONYMOUS, Access.AUTHENTICATED, Access.ANONYMOUS, Access.ANONYMOUS, true,
                DEFAULT_PRESENCE_WINDOW, DEFAULT_COUNTS_ABOVE);
    }

    /** The {@code chat} namespace as shipped: 100 messages or 10 minutes of history, presence with joins and leaves. */
    public static NamespaceConfig chat() {
        return plain("chat").withHistory(100, Duration.ofMinutes(10)).withPresence(true, true);
    }

    public boolean keepsHistory() {
        return historySize > 0;
    }

    public NamespaceConfig withHistory(int size, Duration ttl) {
        return new NamespaceConfig(name, size, ttl, streamTtl, presence, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo, presenceWindow, presenceCountsAbove);
    }

    public NamespaceConfig withStreamTtl(Duration ttl) {
        return new NamespaceConfig(name, historySize, historyTtl, ttl, presence, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo, presenceWindow, presenceCountsAbove);
    }

    public NamespaceConfig withPresence(boolean on, boolean joinLeave) {
        return new NamespaceConfig(name, historySize, historyTtl, streamTtl, on, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo, presenceWindow, presenceCountsAbove);
    }

    public NamespaceConfig withAccess(Access subscribe, Access publish, Access history, Access presence) {
        return new NamespaceConfig(name, historySize, historyTtl, streamTtl, this.presence, joinLeave, subscribe, publish, history, presence, echo, presenceWindow, presenceCountsAbove);
    }

    /** Coalescing window ({@code 0}: one {@code presenceUpdate} per change) and the count threshold. */
    public NamespaceConfig withPresenceWindow(Duration window, int countsAbove) {
        return new NamespaceConfig(name, historySize, historyTtl, streamTtl, presence, joinLeave, subscribe, publish, historyAccess,
                presenceAccess, echo, window, countsAbove);
    }

    /** Whether subscribers get coalesced diffs and counts rather than one push per change. */
    public boolean coalescesPresence() {
        return !presenceWindow.isZero();
    }

    public NamespaceConfig withEcho(boolean echo) {
        return new NamespaceConfig(name, historySize, historyTtl, streamTtl, presence, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo, presenceWindow, presenceCountsAbove);
    }
}
