package io.switchboard.server.pusher;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.switchboard.server.util.LoopFlush;
import io.switchboard.server.util.ServerFrames;
import io.switchboard.server.util.Unsent;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Pusher connection's outbound queue: any thread may {@link #deliver} an encoded event; the event loop
 * writes one WebSocket frame per event (Pusher clients take no batches) while the socket is writable.
 * Queued plus unsent bytes are bounded by {@code --max-queued-bytes}: over it the overflow action runs once
 * (the connection closes as a slow consumer) and the rest is dropped. Queued bytes are counted here, unsent
 * ones by Netty ({@link Unsent}, frame headers included); writes carry the channel's void promise (a failed
 * one reaches the connection's handler as an exception). Frames are written as bytes ({@link ServerFrames}):
 * a Pusher connection's pipeline has no frame encoder.
 */
final class PusherOutbound {

    private final Channel channel;
    private final long maxPendingBytes;
    private final Runnable onOverflow;
    private final Runnable flushTask = this::flush;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong(); // queued, not yet handed to Netty
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private final io.switchboard.server.metrics.Metrics metrics;

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
        if (closed.get()) {
            return;
        }
        if (pendingBytes.addAndGet(event.length) + Unsent.bytes(channel) > maxPendingBytes) {
            pendingBytes.addAndGet(-event.length);
            if (closed.compareAndSet(false, true)) {
                channel.eventLoop().execute(() -> {
                    queue.clear();
                    onOverflow.run();
                });
            }
            return;
        }
        queue.offer(event);
        scheduleFlush();
    }

    /**
     * Makes the event loop write what is queued: on the loop itself once after the tasks of its current
     * iteration ({@link LoopFlush}: the hub's fan-out to this loop's subscribers then costs one task, not one
     * per subscriber), from another thread as a task.
     */
    void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            LoopFlush.schedule(channel.eventLoop(), flushTask);
        }
    }

    /** Writes what is queued while the socket is writable; event loop only. */
    void flush() {
        flushScheduled.set(false);
        if (closed.get()) {
            queue.clear();
            return;
        }
        int count = 0;
        long bytes = 0;
        byte[] next;
        while (channel.isWritable() && (next = queue.poll()) != null) {
            int n = next.length;
            // written first: a bound checked meanwhile counts these bytes twice, never not at all
            ServerFrames.write(channel, ServerFrames.TEXT, 0, Unpooled.wrappedBuffer(next));
            pendingBytes.addAndGet(-n);
            count++;
            bytes += n;
        }
        if (count > 0) {
            channel.flush();
            metrics.pusherMessagesOut(count, bytes);
        }
    }

    /** Refuses everything from now on; event loop only. */
    void close() {
        closed.set(true);
        queue.clear();
    }
}
