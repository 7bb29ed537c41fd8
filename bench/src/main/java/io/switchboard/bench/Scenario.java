package io.switchboard.bench;

import java.util.Locale;

/** The four scenarios; each is bounded in time and stops by itself. */
enum Scenario {
    /** N connections over K channels, doing nothing: memory per connection. */
    IDLE,
    /** S subscribers of one channel, one publisher at a fixed rate: latency, loss, CPU per delivery. */
    FANOUT,
    /** Chat-like: rooms of a few members, every member publishing at a low rate. */
    ROOMS,
    /** A storm of new connections, each with a token, each subscribing: rate and time to subscribed. */
    CONNECT;

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Scenario of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
