package io.switchboard.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on an underlying executor of any size. The client's
 * state lives on one of these (its "loop"), and user callbacks run on another, so that callbacks keep
 * their order even on a multi-threaded pool. A task that throws is reported and does not stop the queue.
 * Thread-safe.
 */
final class SerialExecutor implements Executor {

    private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());

    private final Executor underlying;
    // Tasks waiting to run. Guarded by itself.
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    // True while a drain is scheduled or running. Guarded by queue.
    private boolean draining;
    // The thread running a drain, if any; for inLoop().
    private volatile Thread runner;

    SerialExecutor(Executor underlying) {
        this.underlying = underlying;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (queue) {
            queue.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            underlying.execute(this::drain);
        } catch (RuntimeException rejected) {
            // The underlying pool is shut down: run here rather than lose the client's events.
            drain();
        }
    }

    /** True when called from a task of this executor. */
    boolean inLoop() {
        return runner == Thread.currentThread();
    }

    private void drain() {
        Thread previous = runner;
        runner = Thread.currentThread();
        try {
            // Bounded batches keep one busy client from holding a shared pool thread forever.
            for (int i = 0; i < 1024; i++) {
                Runnable task;
                synchronized (queue) {
                    task = queue.poll();
                    if (task == null) {
                        draining = false;
                        return;
                    }
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(System.Logger.Level.WARNING, "a Switchboard client task threw", e);
                }
            }
        } finally {
            runner = previous;
        }
        try {
            underlying.execute(this::drain);
        } catch (RuntimeException rejected) {
            drain();
        }
    }
}
