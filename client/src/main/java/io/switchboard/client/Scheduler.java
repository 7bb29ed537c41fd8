package io.switchboard.client;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Time for the client: a clock and one-shot timers. The default uses {@link System#nanoTime()} and one
 * daemon timer thread shared by every client in the JVM; tests pass a fake to run backoff and
 * heartbeat schedules without waiting. Implementations must be thread-safe.
 */
interface Scheduler {

    /** A monotonic clock in nanoseconds. */
    long nanoTime();

    /** Runs {@code task} once after {@code delayNanos}; the task must be quick (the client hops to its loop). */
    Cancellable schedule(Runnable task, long delayNanos);

    interface Cancellable {
        void cancel();
    }

    Scheduler SYSTEM = new Scheduler() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            var f = SharedThreads.TIMER.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }
    };

    /** The JVM-wide threads behind the defaults; all daemon, created on first use. */
    final class SharedThreads {
        static final ScheduledThreadPoolExecutor TIMER;
        /** Runs client loops: short tasks only, never user code unless the user chose a direct callback executor. */
        static final java.util.concurrent.ExecutorService LOOPS;
        /** The default callback executor (wrapped per client to keep order); may block, so it grows. */
        static final java.util.concurrent.ExecutorService CALLBACKS;

        static {
            TIMER = new ScheduledThreadPoolExecutor(1, daemon("switchboard-client-timer"));
            TIMER.setRemoveOnCancelPolicy(true);
            LOOPS = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                    daemon("switchboard-client-loop"));
            CALLBACKS = Executors.newCachedThreadPool(daemon("switchboard-client-callback"));
        }

        private SharedThreads() {
        }

        private static java.util.concurrent.ThreadFactory daemon(String prefix) {
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            return r -> {
                Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
        }
    }
}
