package io.switchboard.bench;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one generator process received: deliveries whose send stamp falls inside the measured window
 * are counted and their latency (now minus the <em>intended</em> send time, in microseconds) recorded;
 * deliveries stamped outside it (warm-up, or an earlier window) are only counted apart. Each
 * {@link #window} starts a fresh tally, so the same connections can serve several windows in turn
 * (the capacity scenario's steps). Thread-safe.
 */
final class Deliveries {

    /** Latencies up to an hour, three significant digits. */
    static Histogram newHistogram() {
        return new ConcurrentHistogram(1, 3_600_000_000L, 3);
    }

    /** One window's tally; replaced whole, so a delivery racing with {@link #window} lands in one tally or the other. */
    private record Tally(long start, long end, Histogram latencyMicros, LongAdder inWindow, LongAdder outsideWindow) {
        Tally(long start, long end) {
            this(start, end, newHistogram(), new LongAdder(), new LongAdder());
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
            t.latencyMicros().recordValue(Math.max(1, (nowNanos - sentNanos) / 1000));
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
}
