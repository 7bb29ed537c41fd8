package io.switchboard.client;

import java.time.Duration;
import java.util.PriorityQueue;

/** A manual clock: timers run only when a test advances time, on the test's thread. */
final class FakeScheduler implements Scheduler {

    private record Task(long due, long seq, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now + Math.max(0, delayNanos), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Moves time forward, running every timer that falls due on the way, in order. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = tasks.peek();
                if (t == null || t.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = t.due;
            }
            if (!t.cancelled[0]) {
                t.run.run();
            }
        }
    }

    void advanceMillis(long ms) {
        advance(Duration.ofMillis(ms));
    }
}
