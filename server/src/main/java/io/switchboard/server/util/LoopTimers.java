package io.switchboard.server.util;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers of the connections of one event loop: one binary heap ordered by due time, and one task of
 * Netty's, planned for the earliest of them. A connection holds one timer at a time (its next deadline,
 * moved as its deadlines change) and pays for it with an index of its own and one slot here: Netty's own
 * scheduling would make a 64-byte task for each connection and keep it for the connection's life.
 *
 * <p>Times are the given clock's milliseconds (a node's clock, which tests move); a timer fires on the first
 * run of the task at or after its due time, as a task of Netty's would. The task runs only at multiples of
 * the grain (a node's: {@code Node.timerGrainMillis}, at most {@link #NODE_GRAIN_MILLIS}), so a timer fires up
 * to a grain late and timers due within one grain fire in one run: a node of 17,000 connections pings 680 of
 * them a second, and its loops woke about 1,400 times a second when each due millisecond had a run of its
 * own (docs/architecture.md).
 * A timer armed again before it fires just moves; a connection that fires may arm again from its own
 * {@link Timer#timerFired}. One that throws is logged and the others still fire. Event loop only: every
 * method is called on {@code loop}.
 */
public final class LoopTimers implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LoopTimers.class);

    /**
     * What holds a timer: a connection, extending this for its place in the heap (an int; -1 while not
     * armed), which only {@link LoopTimers} moves.
     */
    public abstract static class Timer {
        private int timerIndex = -1;

        /** Whether the timer is armed. */
        protected final boolean timerArmed() {
            return timerIndex >= 0;
        }

        /** Its due time came: the timer is no longer armed (it may arm again). Called on the event loop. */
        protected abstract void timerFired();
    }

    /**
     * The longest grain of a node's timers, in milliseconds (a heartbeat interval under a second takes a
     * twentieth of itself): what the timers of a session or a Pusher connection measure (a pong timeout of
     * 10 s, a close's grace, a token's expiry) takes a twentieth of a second of lateness without noticing,
     * and a session plans its pings a grain early.
     */
    public static final long NODE_GRAIN_MILLIS = 50;

    private final EventLoop loop;
    private final Clock clock;
    private final long grain;
    private Timer[] items = new Timer[16];
    private long[] due = new long[16];
    private int size;
    private ScheduledFuture<?> wake; // the planned run, or null
    private long wakeAt = Long.MAX_VALUE; // the time it was planned for (on the grain)

    /** Timers that fire at their due time, without a grain (a grain of 1 ms). */
    public LoopTimers(EventLoop loop, Clock clock) {
        this(loop, clock, 1);
    }

    /** Timers whose task runs only at multiples of {@code grainMillis} of {@code clock} (1: at every due time). */
    public LoopTimers(EventLoop loop, Clock clock, long grainMillis) {
        if (grainMillis < 1) {
            throw new IllegalArgumentException("grain must be at least 1 ms: " + grainMillis);
        }
        this.loop = loop;
        this.clock = clock;
        this.grain = grainMillis;
    }

    /** Arms {@code t}'s timer for {@code at}, replacing its arming if it had one. */
    public void arm(Timer t, long at) {
        int i = t.timerIndex;
        if (i < 0) {
            if (size == items.length) {
                int n = size + (size >> 1);
                items = Arrays.copyOf(items, n);
                due = Arrays.copyOf(due, n);
            }
            i = size++;
            items[i] = t;
            due[i] = at;
            t.timerIndex = i;
            up(i);
        } else {
            long old = due[i];
            due[i] = at;
            if (at < old) {
                up(i);
            } else {
                down(i);
            }
        }
        plan();
    }

    /** When {@code t}'s timer is due, or -1 while it is not armed. */
    public long dueAt(Timer t) {
        int i = t.timerIndex;
        return i < 0 ? -1 : due[i];
    }

    /** Disarms {@code t}'s timer, if armed. */
    public void disarm(Timer t) {
        int i = t.timerIndex;
        if (i >= 0) {
            removeAt(i);
            if (size == 0) {
                plan();
            }
        }
    }

    /** How many timers are armed. */
    public int size() {
        return size;
    }

    /** The planned run: fires every timer that is due, then plans the next run. */
    @Override
    public void run() {
        wake = null;
        wakeAt = Long.MAX_VALUE;
        long now = clock.millis();
        try {
            while (size > 0 && due[0] <= now) {
                Timer t = items[0];
                removeAt(0);
                try {
                    t.timerFired();
                } catch (RuntimeException e) {
                    log.warn("a connection's timer failed", e);
                }
            }
        } finally {
            plan();
        }
    }

    /** Makes sure a run is planned no later than the earliest due time, and none while nothing is armed. */
    private void plan() {
        if (size == 0) {
            if (wake != null) {
                wake.cancel(false);
                wake = null;
                wakeAt = Long.MAX_VALUE;
            }
            return;
        }
        long first = onGrain(due[0]);
        if (wake != null) {
            if (wakeAt <= first) {
                return; // that run comes first; it plans again after it
            }
            wake.cancel(false);
        }
        wakeAt = first;
        wake = loop.schedule(this, Math.max(0, first - clock.millis()), TimeUnit.MILLISECONDS);
    }

    /** The first multiple of the grain at or after {@code at} ({@code at} itself when that would overflow). */
    private long onGrain(long at) {
        long past = Math.floorMod(at, grain);
        return past == 0 || at > Long.MAX_VALUE - grain ? at : at - past + grain;
    }

    private void removeAt(int i) {
        Timer gone = items[i];
        gone.timerIndex = -1;
        int last = --size;
        if (i != last) {
            items[i] = items[last];
            due[i] = due[last];
            items[i].timerIndex = i;
            items[last] = null;
            if (i > 0 && due[i] < due[(i - 1) >>> 1]) {
                up(i);
            } else {
                down(i);
            }
        } else {
            items[last] = null;
        }
        if (items.length > 64 && size < items.length >> 2) { // after a storm has gone: give most of it back
            items = Arrays.copyOf(items, items.length >> 1);
            due = Arrays.copyOf(due, due.length >> 1);
        }
    }

    private void up(int i) {
        Timer t = items[i];
        long d = due[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (due[parent] <= d) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        items[i] = t;
        due[i] = d;
        t.timerIndex = i;
    }

    private void down(int i) {
        Timer t = items[i];
        long d = due[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && due[right] < due[child]) {
                child = right;
            }
            if (d <= due[child]) {
                break;
            }
            move(child, i);
            i = child;
        }
        items[i] = t;
        due[i] = d;
        t.timerIndex = i;
    }

    private void move(int from, int to) {
        items[to] = items[from];
        due[to] = due[from];
        items[to].timerIndex = to;
    }
}
