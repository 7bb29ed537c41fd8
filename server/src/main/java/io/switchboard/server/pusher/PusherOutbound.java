package io.switchboard.server.pusher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.switchboard.server.util.LoopFlush;
import io.switchboard.server.util.ServerFrames;
import io.switchboard.server.util.SocketWrites;
import io.switchboard.server.util.Unsent;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One Pusher connection's outbound queue: any thread may {@link #deliver} an encoded event; the event loop
 * writes one WebSocket frame per event (Pusher clients take no batches) while the socket is writable.
 * Queued plus unsent bytes are bounded by {@code --max-queued-bytes}: over it the overflow action runs once
 * (the connection closes as a slow consumer) and the rest is dropped. Queued bytes are counted here, unsent
 * ones by Netty ({@link Unsent}, frame headers included); writes carry the channel's void promise (a failed
 * one reaches the connection's handler as an exception). Frames are written as bytes ({@link ServerFrames}):
 * a Pusher connection's pipeline has no frame encoder. On an epoll socket that Netty holds nothing for, a
 * frame goes straight to the socket ({@link SocketWrites}), what it does not take through Netty as before.
 */
final class PusherOutbound implements Runnable {

    // Field updaters and a queue made by the first event that needs one: an idle connection holds this
    // object only, not a queue, three atomics and a flush task.
    private static final AtomicLongFieldUpdater<PusherOutbound> PENDING =
            AtomicLongFieldUpdater.newUpdater(PusherOutbound.class, "pendingBytes");
    private static final AtomicIntegerFieldUpdater<PusherOutbound> SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(PusherOutbound.class, "flushScheduled");
    private static final AtomicIntegerFieldUpdater<PusherOutbound> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(PusherOutbound.class, "closed");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<PusherOutbound, ConcurrentLinkedQueue> QUEUE =
            AtomicReferenceFieldUpdater.newUpdater(PusherOutbound.class, ConcurrentLinkedQueue.class, "queue");

    private final Channel channel;
    private final long maxPendingBytes;
    private final Runnable onOverflow;
    private final io.switchboard.server.metrics.Metrics metrics;
    private volatile ConcurrentLinkedQueue<byte[]> queue; // null until the first event
    private volatile long pendingBytes; // queued, not yet handed to Netty
    private volatile int flushScheduled; // 1 while a flush is scheduled
    private volatile int closed; // 1 once closed
    private boolean direct; // frames may go straight to the socket (SocketWrites); set once at the start

    PusherOutbound(Channel channel, long maxPendingBytes, Runnable onOverflow, io.switchboard.server.metrics.Metrics metrics) {
        this.metrics = metrics;
        this.channel = channel;
        this.maxPendingBytes = maxPendingBytes;
        this.onOverflow = onOverflow;
    }

    /** The event loop that writes this connection. */
    io.netty.channel.EventLoop loop() {
        return channel.eventLoop();
    }

    /** Queues one event; any thread. */
    void deliver(byte[] event) {
        if (closed != 0) {
            return;
        }
        if (PENDING.addAndGet(this, event.length) + Unsent.bytes(channel) > maxPendingBytes) {
            PENDING.addAndGet(this, -event.length);
            if (CLOSED.compareAndSet(this, 0, 1)) {
                channel.eventLoop().execute(() -> {
                    clear();
                    onOverflow.run();
                });
            }
            return;
        }
        queue().offer(event);
        scheduleFlush();
    }

    /**
     * Makes the event loop write what is queued: on the loop itself once after the tasks of its current
     * iteration ({@link LoopFlush}: the hub's fan-out to this loop's subscribers then costs one task, not one
     * per subscriber), from another thread as a task.
     */
    void scheduleFlush() {
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            LoopFlush.schedule(channel.eventLoop(), this);
        }
    }

    /** The flush task handed to the event loop: {@link #flush}. Event loop only. */
    @Override
    public void run() {
        flush();
    }

    /** Writes what is queued while the socket is writable; event loop only. */
    void flush() {
        flushScheduled = 0;
        if (closed != 0) {
            clear();
            return;
        }
        ConcurrentLinkedQueue<byte[]> q = queue;
        if (q == null) {
            return;
        }
        int count = 0;
        long bytes = 0;
        boolean handed = false; // whether Netty holds something to flush
        byte[] next;
        while (channel.isWritable() && (next = q.poll()) != null) {
            int n = next.length;
            // written first: a bound checked meanwhile counts these bytes twice, never not at all
            if (direct && !handed) {
                ByteBuf payload = Unpooled.wrappedBuffer(next);
                ByteBuf frame = ServerFrames.copied(channel.alloc(), ServerFrames.TEXT, 0, payload);
                payload.release();
                if (!SocketWrites.write(channel, frame)) {
                    channel.write(frame, channel.voidPromise()); // what the socket did not take
                    handed = true;
                }
            } else {
                ServerFrames.write(channel, ServerFrames.TEXT, 0, Unpooled.wrappedBuffer(next));
                handed = true;
            }
            PENDING.addAndGet(this, -n);
            count++;
            bytes += n;
        }
        if (handed) {
            channel.flush();
        }
        if (count > 0) {
            metrics.pusherMessagesOut(count, bytes);
        }
    }

    /**
     * Lets frames go straight to the socket when Netty holds nothing for it ({@link SocketWrites}); called
     * once the pipeline is final. Event loop only.
     */
    void writeDirectWhenIdle() {
        direct = SocketWrites.eligible(channel);
    }

    /** Whether frames may go straight to the socket ({@link #writeDirectWhenIdle}). */
    boolean writesDirect() {
        return direct;
    }

    /** Refuses everything from now on; event loop only. */
    void close() {
        closed = 1;
        clear();
    }

    private void clear() {
        ConcurrentLinkedQueue<byte[]> q = queue;
        if (q != null) {
            q.clear();
        }
    }

    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<byte[]> queue() {
        ConcurrentLinkedQueue<byte[]> q = queue;
        if (q == null) {
            QUEUE.compareAndSet(this, null, new ConcurrentLinkedQueue<byte[]>());
            q = queue;
        }
        return q;
    }
}
