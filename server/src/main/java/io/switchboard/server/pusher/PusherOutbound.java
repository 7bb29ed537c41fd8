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
 * One Pusher connection's outbound queue: any thread may {@link #deliver} an encoded event, or a complete frame
 * shared with other connections (a channel event, made once per publication: {@code Push.derivedFrame}); the
 * event loop writes one WebSocket frame per event (Pusher clients take no batches) while the socket is
 * writable, and {@link #deliverNow} writes a shared frame at once when nothing is queued.
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
    private volatile ConcurrentLinkedQueue<Object> queue; // null until the first event; byte[] events, ByteBuf frames
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

    /** The connection's allocator. */
    io.netty.buffer.ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** The event loop that writes this connection. */
    io.netty.channel.EventLoop loop() {
        return channel.eventLoop();
    }

    /** Queues one event; any thread. */
    void deliver(byte[] event) {
        if (closed != 0 || !withinBound(event.length)) {
            return;
        }
        queue().offer(event);
        scheduleFlush();
    }

    /**
     * Queues one complete text frame (a view of its own, which this takes: released once written or dropped);
     * any thread. Counted by its payload's bytes, as an event is.
     */
    void deliver(ByteBuf frame) {
        int n = payloadBytes(frame);
        if (closed != 0 || !withinBound(n)) {
            frame.release();
            return;
        }
        queue().offer(frame);
        if (closed != 0) {
            clear(); // closed meanwhile: the frame must not wait in the queue for good
            return;
        }
        scheduleFlush();
    }

    /**
     * Writes {@code frame} (a complete text frame shared with other connections: read, neither retained nor
     * moved) at once when nothing is queued here and Netty holds nothing ({@link SocketWrites#writeNow}), what
     * the socket does not take through Netty; otherwise queues a view of it. Event loop only.
     */
    void deliverNow(ByteBuf frame) {
        // A frame over the bound on its own takes the queued path, which closes the connection as a slow consumer.
        if (direct && closed == 0 && pendingBytes == 0 && frame.readableBytes() <= maxPendingBytes) {
            int written = SocketWrites.writeNow(channel, frame);
            int length = frame.readableBytes();
            if (written >= 0) {
                if (written < length) { // Netty holds the rest from here, counted by Unsent; later frames queue behind it
                    channel.writeAndFlush(frame.retainedSlice(frame.readerIndex() + written, length - written),
                            channel.voidPromise());
                }
                metrics.pusherMessagesOut(1, payloadBytes(frame));
                return;
            }
        }
        deliver(frame.retainedDuplicate());
    }

    /** Counts {@code n} more bytes as queued, or (over the bound) closes the connection and returns false. */
    private boolean withinBound(int n) {
        if (PENDING.addAndGet(this, n) + Unsent.bytes(channel) <= maxPendingBytes) {
            return true;
        }
        PENDING.addAndGet(this, -n);
        if (CLOSED.compareAndSet(this, 0, 1)) {
            channel.eventLoop().execute(() -> {
                clear();
                onOverflow.run();
            });
        }
        return false;
    }

    /** The payload's bytes of a server's text frame (not masked): its length less its header. */
    static int payloadBytes(ByteBuf frame) {
        int len7 = frame.getByte(frame.readerIndex() + 1) & 0x7F;
        return frame.readableBytes() - (len7 < 126 ? 2 : len7 == 126 ? 4 : 10);
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
        ConcurrentLinkedQueue<Object> q = queue;
        if (q == null) {
            return;
        }
        int count = 0;
        long bytes = 0;
        boolean handed = false; // whether Netty holds something to flush
        Object next;
        while (channel.isWritable() && (next = q.poll()) != null) {
            int n = next instanceof byte[] event ? event.length : payloadBytes((ByteBuf) next);
            // written first: a bound checked meanwhile counts these bytes twice, never not at all
            if (direct && !handed) {
                ByteBuf frame = next instanceof ByteBuf f ? f : copied((byte[]) next);
                if (!SocketWrites.write(channel, frame)) {
                    channel.write(frame, channel.voidPromise()); // what the socket did not take
                    handed = true;
                }
            } else if (next instanceof ByteBuf frame) {
                channel.write(frame, channel.voidPromise());
                handed = true;
            } else {
                ServerFrames.write(channel, ServerFrames.TEXT, 0, Unpooled.wrappedBuffer((byte[]) next));
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

    /** An event's frame in one buffer: header, then the event. */
    private ByteBuf copied(byte[] event) {
        ByteBuf payload = Unpooled.wrappedBuffer(event);
        ByteBuf frame = ServerFrames.copied(channel.alloc(), ServerFrames.TEXT, 0, payload);
        payload.release();
        return frame;
    }

    /** Drops what is queued, giving back the frames; any thread (each item is taken once). */
    private void clear() {
        ConcurrentLinkedQueue<Object> q = queue;
        if (q != null) {
            Object item;
            while ((item = q.poll()) != null) {
                if (item instanceof ByteBuf frame) {
                    frame.release();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<Object> queue() {
        ConcurrentLinkedQueue<Object> q = queue;
        if (q == null) {
            QUEUE.compareAndSet(this, null, new ConcurrentLinkedQueue<Object>());
            q = queue;
        }
        return q;
    }
}
