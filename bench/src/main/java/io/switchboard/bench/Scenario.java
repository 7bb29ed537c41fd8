package io.switchboard.bench;

import java.util.Locale;

/** The scenarios; each is bounded in time and stops by itself. */
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
    PRESENCE_OFF,
    /**
     * The fanout subscribers connected once, then the publisher stepping through rising rates, each step
     * with its own warm-up, window and drain: the highest rate sustained with nothing lost and p99 under a limit.
     */
    CAPACITY,
    /** A fresh server, no warm-up: a storm of connections all subscribing to one channel, then the fan-out at once. */
    COLD;

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

    /** One channel's subscribers and one publisher, as in fanout: capacity and cold are fan-outs too. */
    boolean fansOut() {
        return this == FANOUT || this == CAPACITY || this == COLD;
    }

    /** Gives one figure per run, so that --repeat runs it again: idle, fanout, rooms, connect. */
    boolean repeats() {
        return this == IDLE || this == FANOUT || this == ROOMS || this == CONNECT;
    }

    /**
     * Whether a server can run it: the presence scenarios need Switchboard's presence; the Pusher target runs
     * idle, connect and the fan-outs (rooms needs every member to publish and get its own messages back, and a
     * Pusher client only publishes client events, never echoed to their sender).
     */
    boolean runsOn(Target t) {
        if (t == Target.PUSHER) {
            return this == IDLE || this == CONNECT || fansOut();
        }
        return !fillsOneChannel() || t == Target.SWITCHBOARD;
    }
}
