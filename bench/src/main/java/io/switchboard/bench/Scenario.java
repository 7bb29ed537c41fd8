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
    CONNECT,
    /** One channel of the chat namespace (presence with join/leave pushes) filled by a storm of members (Switchboard only). */
    PRESENCE,
    /** The same storm into one channel without presence, to compare with (Switchboard only). */
    PRESENCE_OFF;

    String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Scenario of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** A storm of members into one channel, with or without presence. */
    boolean fillsOneChannel() {
        return this == PRESENCE || this == PRESENCE_OFF;
    }

    /**
     * Whether a server can run it: the presence scenarios need Switchboard's presence; the Pusher target runs
     * idle, fanout and connect (rooms needs every member to publish and get its own messages back, and a Pusher
     * client only publishes client events, never echoed to their sender).
     */
    boolean runsOn(Target t) {
        if (t == Target.PUSHER) {
            return this == IDLE || this == FANOUT || this == CONNECT;
        }
        return !fillsOneChannel() || t == Target.SWITCHBOARD;
    }
}
