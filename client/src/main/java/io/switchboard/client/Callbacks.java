package io.switchboard.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Where user code runs. Listener events go through one {@link SerialExecutor} over the user's executor,
 * so they arrive one at a time and in order even on a pool; futures are completed on the user's executor
 * directly, so that code blocking on one future inside a listener does not wait behind itself.
 * Thread-safe.
 */
final class Callbacks {

    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final Executor executor;
    private final SerialExecutor ordered;

    Callbacks(Executor executor) {
        this.executor = executor;
        this.ordered = new SerialExecutor(executor);
    }

    /** The user's executor, for work that may block (the token supplier). */
    Executor executor() {
        return executor;
    }

    /** Runs a listener call after every earlier one; its exception is logged, not propagated. */
    void event(Runnable call) {
        ordered.execute(() -> {
            try {
                call.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "a Switchboard listener threw; the client carries on", e);
            }
        });
    }

    <T> void complete(CompletableFuture<T> future, T value) {
        run(() -> future.complete(value));
    }

    void fail(CompletableFuture<?> future, Throwable error) {
        run(() -> future.completeExceptionally(error));
    }

    private void run(Runnable r) {
        try {
            executor.execute(r);
        } catch (RuntimeException rejected) {
            r.run(); // the user's executor is shut down; completing here beats leaving the caller hanging
        }
    }
}
