package io.switchboard.server.session;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A session's one timer, on its event loop, and the clock its deadlines are read from (the node's, so
 * that tests can move time). The session arms it for its earliest deadline; re-arming for the same moment
 * is free. Event loop only.
 */
final class SessionTimer {

    private final EventLoop loop;
    private final Clock clock;
    private final Runnable onDue;
    private ScheduledFuture<?> scheduled; // null when not armed
    private long dueAt;

    SessionTimer(EventLoop loop, Clock clock, Runnable onDue) {
        this.loop = loop;
        this.clock = clock;
        this.onDue = onDue;
    }

    /** Milliseconds since the epoch, by the node's clock. */
    long now() {
        return clock.millis();
    }

    /** Runs the session's timer task at {@code dueMillis} (the clock's time), replacing any other arming. */
    void at(long dueMillis) {
        if (scheduled != null) {
            if (dueAt == dueMillis) {
                return;
            }
            scheduled.cancel(false);
        }
        dueAt = dueMillis;
        long delay = Math.max(0, dueMillis - now());
        scheduled = loop.schedule(this::fire, delay, TimeUnit.MILLISECONDS);
    }

    private void fire() {
        scheduled = null;
        onDue.run();
    }

    void cancel() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }
}
