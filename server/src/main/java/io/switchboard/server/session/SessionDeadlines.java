package io.switchboard.server.session;

/**
 * What a session's one timer does when it fires, and when it must fire next: a pure function of the
 * session's deadlines (all in the node's clock, milliseconds), so that the rules are read and tested in one
 * place and the session keeps no timer object of its own (only its place among its event loop's timers,
 * {@code LoopTimers}).
 *
 * <p>A closing session waits for its close deadline only. An open one, in this order of precedence: the
 * pong deadline of an unanswered ping, the token's expiry (with its grace), and the next ping.
 */
final class SessionDeadlines {

    /** What is due when the timer fires. */
    enum Due {
        /** Nothing yet: arm the timer again. */
        NOTHING,
        /** A closing session's grace is over: finish the close. */
        CLOSE_DEADLINE,
        /** A ping went unanswered for the heartbeat timeout. */
        PONG_TIMEOUT,
        /** The token expired (its grace included). */
        TOKEN_EXPIRED,
        /** Time for the next ping. */
        PING
    }

    /** "Never": a deadline that is not set, such as the expiry of a token without one. */
    static final long NEVER = Long.MAX_VALUE;

    private SessionDeadlines() {
    }

    /**
     * @param pongDeadline 0 while no ping is unanswered
     * @param expiry       {@link #NEVER} for a token that does not expire
     */
    static Due due(long now, boolean closing, long closeDeadline, long pongDeadline, long expiry, long nextPingAt) {
        if (closing) {
            return now >= closeDeadline ? Due.CLOSE_DEADLINE : Due.NOTHING;
        }
        if (pongDeadline != 0 && now >= pongDeadline) {
            return Due.PONG_TIMEOUT;
        }
        if (now >= expiry) {
            return Due.TOKEN_EXPIRED;
        }
        return now >= nextPingAt ? Due.PING : Due.NOTHING;
    }

    /**
     * When a new session's first ping is due: at a uniformly random moment in the second half of the first
     * interval, at least a grain before its end, so that the timer (which may fire up to a grain after its
     * due time: {@code LoopTimers}) sends it within the interval (a client's "silent for interval + timeout"
     * rule holds) and never sooner than half of one. Connections that open together, as after a reconnect
     * storm, would otherwise ping together, every interval, for as long as they live: thousands of pings and
     * pongs in one burst, which every publication in it waits behind.
     *
     * @param grain the timers' grain in milliseconds (a node's is at most a twentieth of {@code interval}, or 1)
     */
    static long firstPing(long now, long interval, long grain, java.util.random.RandomGenerator random) {
        long half = interval / 2;
        return now + interval - grain - random.nextLong(Math.max(0, interval - grain - half) + 1);
    }

    /**
     * The time from a ping to the next one's due time: the interval less the timers' grain, so that a ping
     * sent up to a grain after its due time still comes within an interval of the one before (at least 1 ms,
     * so that a ping never falls due again in the run that sent it).
     */
    static long pingSpacing(long interval, long grain) {
        return Math.max(1, interval - grain);
    }

    /** The moment the timer must fire next: the earliest deadline that applies. Same parameters as {@link #due}. */
    static long next(boolean closing, long closeDeadline, long pongDeadline, long expiry, long nextPingAt) {
        if (closing) {
            return closeDeadline;
        }
        long due = Math.min(nextPingAt, expiry);
        return pongDeadline != 0 ? Math.min(due, pongDeadline) : due;
    }
}
