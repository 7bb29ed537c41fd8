package io.switchboard.embedded;

import java.time.Duration;
import java.util.Objects;

/**
 * The options of one namespace: a channel {@code ns:rest} takes those of namespace {@code ns}, a name
 * without a colon those of the default namespace {@code ""}. Immutable; each method returns a copy. A new
 * namespace starts live-only, subscribable by anyone connected and publishable by users, like a YAML one.
 */
public final class Namespace {

    private final String name;
    private final int historySize;
    private final Duration historyTtl;
    private final boolean presence;
    private final boolean joinLeave;
    private final Access subscribe;
    private final Access publish;
    private final Access history;
    private final Access presenceAccess;
    private final boolean echo;

    private Namespace(String name, int historySize, Duration historyTtl, boolean presence, boolean joinLeave,
                      Access subscribe, Access publish, Access history, Access presenceAccess, boolean echo) {
        this.name = name;
        this.historySize = historySize;
        this.historyTtl = historyTtl;
        this.presence = presence;
        this.joinLeave = joinLeave;
        this.subscribe = subscribe;
        this.publish = publish;
        this.history = history;
        this.presenceAccess = presenceAccess;
        this.echo = echo;
    }

    /** A live-only namespace called {@code name}. */
    public static Namespace named(String name) {
        Objects.requireNonNull(name, "name");
        return new Namespace(name, 0, Duration.ofMinutes(10), false, false, Access.ANONYMOUS, Access.AUTHENTICATED,
                Access.ANONYMOUS, Access.ANONYMOUS, true);
    }

    /** Keeps the last {@code size} messages for at most {@code ttl} (size 0: no history). */
    public Namespace history(int size, Duration ttl) {
        if (size < 0) {
            throw new IllegalArgumentException("history size must be at least 0");
        }
        return new Namespace(name, size, Objects.requireNonNull(ttl), presence, joinLeave, subscribe, publish, history,
                presenceAccess, echo);
    }

    /** Tracks who is subscribed, and with {@code joinLeave} pushes joins and leaves to subscribers. */
    public Namespace presence(boolean on, boolean joinLeave) {
        return new Namespace(name, historySize, historyTtl, on, on && joinLeave, subscribe, publish, history,
                presenceAccess, echo);
    }

    /** Who may subscribe, publish, read history and read presence. */
    public Namespace access(Access subscribe, Access publish, Access history, Access presence) {
        return new Namespace(name, historySize, historyTtl, this.presence, joinLeave, Objects.requireNonNull(subscribe),
                Objects.requireNonNull(publish), Objects.requireNonNull(history), Objects.requireNonNull(presence), echo);
    }

    /** Whether a publisher subscribed to the channel gets its own publications. */
    public Namespace echo(boolean echo) {
        return new Namespace(name, historySize, historyTtl, presence, joinLeave, subscribe, publish, history,
                presenceAccess, echo);
    }

    /** The namespace's name. */
    public String name() {
        return name;
    }

    int historySize() {
        return historySize;
    }

    Duration historyTtl() {
        return historyTtl;
    }

    boolean presenceOn() {
        return presence;
    }

    boolean joinLeave() {
        return joinLeave;
    }

    Access subscribeAccess() {
        return subscribe;
    }

    Access publishAccess() {
        return publish;
    }

    Access historyAccess() {
        return history;
    }

    Access presenceAccess() {
        return presenceAccess;
    }

    boolean echoOn() {
        return echo;
    }
}
