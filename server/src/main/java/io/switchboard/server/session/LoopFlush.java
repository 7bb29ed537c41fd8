package io.switchboard.server.session;

import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;

/**
 * The connections of one event loop that something was queued for during the loop's current iteration:
 * each is flushed once after the loop's tasks of this iteration ({@link Outbound#flush}), so whatever the
 * iteration queued for a connection (several pushes when the loop is behind, the acks of a batch of
 * commands) leaves together, batched, in one system call; a connection that got one push pays one write,
 * as before. Replaces a flush task per connection queued from the loop itself. Confined to its loop's thread.
 */
final class LoopFlush implements Runnable {

    private static final FastThreadLocal<LoopFlush> OF_THIS_LOOP = new FastThreadLocal<>() {
        @Override
        protected LoopFlush initialValue() {
            return new LoopFlush();
        }
    };

    private final ArrayDeque<Outbound> waiting = new ArrayDeque<>();
    private boolean scheduled;

    private LoopFlush() {
    }

    /** Flushes {@code out} after the current tasks of {@code loop}; call on that loop, once until it ran. */
    static void later(SingleThreadEventLoop loop, Outbound out) {
        LoopFlush f = OF_THIS_LOOP.get();
        f.waiting.add(out);
        if (!f.scheduled) {
            f.scheduled = true;
            loop.executeAfterEventLoopIteration(f);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        Outbound out;
        while ((out = waiting.poll()) != null) {
            out.flush();
        }
    }
}
