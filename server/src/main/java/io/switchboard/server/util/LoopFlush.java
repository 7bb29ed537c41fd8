package io.switchboard.server.util;

import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;

/**
 * The connections of one event loop that something was queued for during the loop's current iteration:
 * each is flushed once after the loop's tasks of this iteration, so whatever the iteration queued for a
 * connection (several pushes when the loop is behind, the acks of a batch of commands) leaves together, in
 * one system call; a connection that got one push pays one write, as before. Replaces a flush task per
 * connection queued from the loop itself. Used by the native session's queue and the Pusher door's.
 * Confined to its loop's thread.
 */
public final class LoopFlush implements Runnable {

    private static final FastThreadLocal<LoopFlush> OF_THIS_LOOP = new FastThreadLocal<>() {
        @Override
        protected LoopFlush initialValue() {
            return new LoopFlush();
        }
    };

    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private boolean scheduled;

    private LoopFlush() {
    }

    /**
     * Runs {@code flush} (a connection's flush) after the current tasks of {@code loop}; call on that loop,
     * once until it ran (the caller keeps its own "scheduled" flag).
     */
    public static void later(SingleThreadEventLoop loop, Runnable flush) {
        LoopFlush f = OF_THIS_LOOP.get();
        f.waiting.add(flush);
        if (!f.scheduled) {
            f.scheduled = true;
            loop.executeAfterEventLoopIteration(f);
        }
    }

    /**
     * Has {@code loop} run {@code flush}: after its current iteration's tasks when called on the loop
     * ({@link #later}), as a task of its own from any other thread. The caller keeps its own "scheduled"
     * flag, so that a connection asks once until its flush ran.
     */
    public static void schedule(io.netty.channel.EventLoop loop, Runnable flush) {
        if (loop instanceof SingleThreadEventLoop l && l.inEventLoop()) {
            later(l, flush);
        } else {
            loop.execute(flush);
        }
    }

    /**
     * How many of the calling loop's after-iteration tasks ({@code executeAfterEventLoopIteration}) are this
     * class's: 1 while a flush is scheduled, else 0. Lets a caller tell from {@code pendingTasks()}, which counts
     * them, whether anything else waits. Call on the loop.
     */
    public static int waitingOnThisLoop() {
        return OF_THIS_LOOP.get().scheduled ? 1 : 0;
    }

    @Override
    public void run() {
        scheduled = false;
        Runnable flush;
        while ((flush = waiting.poll()) != null) {
            flush.run();
        }
    }
}
