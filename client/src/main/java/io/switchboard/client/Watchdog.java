package io.switchboard.client;

import java.util.concurrent.Executor;

/**
 * Declares a connection dead when nothing arrived for too long: before the {@code welcome} for the
 * connect timeout, after it for the heartbeat interval + timeout. Every frame just records the time; one
 * timer looks at that time when it falls due and, if frames came meanwhile, sets itself for the new
 * deadline, so a busy connection costs no timer work per frame. Confined to the client's loop.
 */
final class Watchdog {

    private final Scheduler clock;
    private final Executor loop;
    private final Runnable onSilence;
    private long lastFrameAt;
    private long limitNanos;
    private Scheduler.Cancellable timer;
    private long run; // bumped by start() and stop(), so a timer of an earlier run does nothing

    Watchdog(Scheduler clock, Executor loop, Runnable onSilence) {
        this.clock = clock;
        this.loop = loop;
        this.onSilence = onSilence;
    }

    /** Starts watching with {@code limitNanos} of allowed silence, counted from now. */
    void start(long limitNanos) {
        stop();
        this.limitNanos = limitNanos;
        this.lastFrameAt = clock.nanoTime();
        arm(limitNanos);
    }

    /** Something arrived: the connection is alive. */
    void frame() {
        lastFrameAt = clock.nanoTime();
    }

    void stop() {
        run++;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    long limitNanos() {
        return limitNanos;
    }

    private void arm(long delayNanos) {
        long mine = run;
        timer = clock.schedule(() -> loop.execute(() -> check(mine)), Math.max(0, delayNanos));
    }

    private void check(long mine) {
        if (mine != run) {
            return;
        }
        timer = null;
        long silent = clock.nanoTime() - lastFrameAt;
        if (silent < limitNanos) {
            arm(limitNanos - silent);
            return;
        }
        run++;
        onSilence.run();
    }
}
