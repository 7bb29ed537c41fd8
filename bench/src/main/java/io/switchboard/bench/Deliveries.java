package io.switchboard.bench;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one generator process received: deliveries whose send stamp falls inside the measured window
 * are counted and their latency (now minus the <em>intended</em> send time, in microseconds) recorded;
 * deliveries stamped outside it (warm-up) are only counted apart. Thread-safe.
 */
final class Deliveries {

    /** Latencies up to an hour, three significant digits. */
    static Histogram newHistogram() {
        return new ConcurrentHistogram(1, 3_600_000_000L, 3);
    }

    private final Histogram latencyMicros = newHistogram();
    private final LongAdder inWindow = new LongAdder();
    private final LongAdder outsideWindow = new LongAdder();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MIN_VALUE;
    private volatile boolean stopped;

    void window(long startNanos, long endNanos) {
        this.windowStart = startNanos;
        this.windowEnd = endNanos;
    }

    void stop() {
        stopped = true;
    }

    /** One delivery of a message stamped {@code sentNanos}, received at {@code nowNanos}. */
    void record(long sentNanos, long nowNanos) {
        if (stopped) {
            return;
        }
        if (sentNanos >= windowStart && sentNanos < windowEnd) {
            inWindow.increment();
            latencyMicros.recordValue(Math.max(1, (nowNanos - sentNanos) / 1000));
        } else {
            outsideWindow.increment();
        }
    }

    long received() {
        return inWindow.sum();
    }

    long outside() {
        return outsideWindow.sum();
    }

    Histogram histogram() {
        return latencyMicros;
    }
}
