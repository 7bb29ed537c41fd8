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
 */
public record NamespaceConfig(String name, int historySize, Duration historyTtl, Duration streamTtl, boolean presence,
                              boolean joinLeave, Access subscribe, Access publish, Access historyAccess,
                              Access presenceAccess, boolean echo) {

    /**
     * A namespace as shipped: live pub/sub only; anyone connected may subscribe and read (anonymous
     * connections exist only with --allow-anonymous), only users with a token may publish.
     */
    public static NamespaceConfig plain(String name) {
        return new NamespaceConfig(name, 0, Duration.ofMinutes(10), Duration.ofHours(24), false, false,
                Access.ANONYMOUS, Access.AUTHENTICATED, Access.ANONYMOUS, Access.ANONYMOUS, true);
    }

    /** The {@code chat} namespace as shipped: 100 messages or 10 minutes of history, presence with joins and leaves. */
    public static NamespaceConfig chat() {
        return plain("chat").withHistory(100, Duration.ofMinutes(10)).withPresence(true, true);
    }

    public boolean keepsHistory() {
        return historySize > 0;
    }

    public NamespaceConfig withHistory(int size, Duration ttl) {
        return new NamespaceConfig(name, size, ttl, streamTtl, presence, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo);
    }

    public NamespaceConfig withStreamTtl(Duration ttl) {
        return new NamespaceConfig(name, historySize, historyTtl, ttl, presence, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo);
    }

    public NamespaceConfig withPresence(boolean on, boolean joinLeave) {
        return new NamespaceConfig(name, historySize, historyTtl, streamTtl, on, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo);
    }

    public NamespaceConfig withAccess(Access subscribe, Access publish, Access history, Access presence) {
        return new NamespaceConfig(name, historySize, historyTtl, streamTtl, this.presence, joinLeave, subscribe, publish, history, presence, echo);
    }

    public NamespaceConfig withEcho(boolean echo) {
        return new NamespaceConfig(name, historySize, historyTtl, streamTtl, presence, joinLeave, subscribe, publish, historyAccess, presenceAccess, echo);
    }
}
