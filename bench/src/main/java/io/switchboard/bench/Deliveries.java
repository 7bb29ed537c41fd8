package io.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one generator process received: deliveries whose send stamp falls inside the measured window
 * are counted and their latency (now minus the <em>intended</em> send time, in microseconds) recorded;
 * deliveries stamped outside it (warm-up, or an earlier window) are only counted apart. Each
 * {@link #window} starts a fresh tally, so the same connections can serve several windows in turn
 * (the capacity scenario's steps). Measured deliveries are also tallied by the second of the window in
 * which their message was due ({@link #bySecond}), so a report can show how latency moved through a
 * window (a fresh server's first minute). Thread-safe.
 */
final class Deliveries {

    /** Latencies up to an hour, three significant digits. */
    static Histogram newHistogram() {
        return new ConcurrentHistogram(1, 3_600_000_000L, 3);
    }

    /** The seconds of a window tallied apart; later deliveries are in the window's figures only. */
    static final int MAX_SECONDS = 600;

    /** A histogram of one second of a window: latencies up to an hour, two significant digits (smaller). */
    static Histogram newSecondHistogram() {
        return new ConcurrentHistogram(1, 3_600_000_000L, 2);
    }

    /** One window's tally; replaced whole, so a delivery racing with {@link #window} lands in one tally or the other. */
    private record Tally(long start, long end, Histogram latencyMicros, LongAdder inWindow, LongAdder outsideWindow,
                         AtomicReferenceArray<Histogram> seconds) {
        Tally(long start, long end) {
            this(start, end, newHistogram(), new LongAdder(), new LongAdder(), new AtomicReferenceArray<>(MAX_SECONDS));
        }

        /** The histogram of the window's second {@code s}, made by the first delivery of it. */
        Histogram second(int s) {
            Histogram h = seconds.get(s);
            if (h == null) {
                seconds.compareAndSet(s, null, newSecondHistogram());
                h = seconds.get(s);
            }
            return h;
        }
    }

    private volatile Tally tally = new Tally(Long.MAX_VALUE, Long.MIN_VALUE);
    private volatile boolean stopped;

    /** Starts counting afresh: deliveries stamped in [startNanos, endNanos) are measured, and counting resumes if stopped. */
    void window(long startNanos, long endNanos) {
        this.tally = new Tally(startNanos, endNanos);
        this.stopped = false;
    }

    /** Ignores every delivery from now until the next {@link #window}. */
    void stop() {
        stopped = true;
    }

    /** One delivery of a message stamped {@code sentNanos}, received at {@code nowNanos}. */
    void record(long sentNanos, long nowNanos) {
        if (stopped) {
            return;
        }
        Tally t = tally;
        if (sentNanos >= t.start() && sentNanos < t.end()) {
            t.inWindow().increment();
            long micros = Math.max(1, (nowNanos - sentNanos) / 1000);
            t.latencyMicros().recordValue(micros);
            long s = (sentNanos - t.start()) / 1_000_000_000L;
            if (s < MAX_SECONDS) {
                t.second((int) s).recordValue(micros);
            }
        } else {
            t.outsideWindow().increment();
        }
    }

    long received() {
        return tally.inWindow().sum();
    }

    long outside() {
        return tally.outsideWindow().sum();
    }

    Histogram histogram() {
        return tally.latencyMicros();
    }

    /**
     * The window's measured deliveries by the second their message was due in: element {@code s} holds
     * those due in [start + s, start + s + 1) seconds, or is null when there were none; up to the last
     * second that had any (at most {@value #MAX_SECONDS}).
     */
    List<Histogram> bySecond() {
        AtomicReferenceArray<Histogram> seconds = tally.seconds();
        List<Histogram> out = new ArrayList<>();
        int last = -1;
        for (int s = 0; s < seconds.length(); s++) {
            if (seconds.get(s) != null) {
                last = s;
            }
        }
        for (int s = 0; s <= last; s++) {
            out.add(seconds.get(s));
        }
        return out;
    }
}
