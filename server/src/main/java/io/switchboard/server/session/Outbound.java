package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.protocol.EnvelopeDecoder;
import io.switchboard.protocol.WireFormat;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's outbound queue. Any thread may {@link #deliver} encoded envelopes; the connection's
 * event loop writes them, honouring Netty's writability, and coalesces what is queued into one batch frame
 * (a JSON array in a text frame, or delimited Protobuf envelopes one after the other in a binary frame). Bytes queued here plus bytes written but not yet on the socket are bounded: going over
 * the bound calls the overflow action once (the session closes as a slow consumer) and drops the rest.
 */
final class Outbound {

    private static final ByteBuf OPEN = constant('[');
    private static final ByteBuf COMMA = constant(',');
    private static final ByteBuf CLOSE = constant(']');

    private static final int MAX_BATCH = EnvelopeDecoder.DEFAULT_MAX_BATCH;

    private final Channel channel;
    private final WireFormat format;
    private final long maxPendingBytes;
    private final int maxBatchBytes;
    private final Runnable onOverflow;
    private final Runnable flushTask = this::flush;

    // Frames waiting for the event loop; lock-free, written by any thread, read only by the event loop.
    private final ConcurrentLinkedQueue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
    // Bytes in the queue plus bytes handed to Netty whose write has not completed; any thread.
    private final AtomicLong pendingBytes = new AtomicLong();
    // True while a flush task is queued on the event loop, so a burst schedules one flush, not many.
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    // Set once by overflow or close; from then on everything delivered is dropped.
    private final AtomicBoolean closed = new AtomicBoolean();

    Outbound(Channel channel, long maxPendingBytes, int maxBatchBytes, Runnable onOverflow) {
        this(channel, WireFormat.JSON, maxPendingBytes, maxBatchBytes, onOverflow);
    }

    /** @param format how queued envelopes are encoded, and so how a batch is made of them */
    Outbound(Channel channel, WireFormat format, long maxPendingBytes, int maxBatchBytes, Runnable onOverflow) {
        this.channel = channel;
        this.format = format;
        this.maxPendingBytes = maxPendingBytes;
        this.maxBatchBytes = maxBatchBytes;
        this.onOverflow = onOverflow;
    }

    /** Queues one encoded envelope; takes ownership of {@code frame}. Any thread. */
    void deliver(ByteBuf frame) {
        if (closed.get()) {
            frame.release();
            return;
        }
        int n = frame.readableBytes();
        if (pendingBytes.addAndGet(n) > maxPendingBytes) {
            pendingBytes.addAndGet(-n);
            frame.release();
            overflow();
            return;
        }
        queue.offer(frame);
        if (closed.get()) {
            releaseQueued(); // lost a race with close(); do not leave the frame behind
            return;
        }
        scheduleFlush();
    }

    /** Gives up on this connection as a slow consumer (once): drops the queue and runs the overflow action. */
    void overflow() {
        if (closed.compareAndSet(false, true)) {
            channel.eventLoop().execute(() -> {
                releaseQueued();
                onOverflow.run();
            });
        }
    }

    void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(flushTask);
        }
    }

    /** Writes what is queued while the channel is writable. Event loop only. */
    void flush() {
        flushScheduled.set(false);
        if (closed.get()) {
            releaseQueued(); // nothing may follow the close frame
            return;
        }
        boolean wrote = false;
        ByteBuf first;
        while (channel.isWritable() && (first = queue.poll()) != null) {
            ByteBuf next = queue.peek();
            if (next == null || first.readableBytes() + next.readableBytes() + punctuation(2) > maxBatchBytes) {
                write(first, first.readableBytes());
            } else {
                write(batch(first), 0);
            }
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** The wire format of what is queued here. */
    WireFormat format() {
        return format;
    }

    /** The connection's bound, which also caps what a subscription may hold back while it starts. */
    long maxPendingBytes() {
        return maxPendingBytes;
    }

    /** Drops everything queued and refuses what comes later. Event loop only. */
    void close() {
        closed.set(true);
        releaseQueued();
    }

    private CompositeByteBuf batch(ByteBuf first) {
        CompositeByteBuf batch = channel.alloc().compositeBuffer(Integer.MAX_VALUE);
        // Protobuf envelopes are delimited already: a batch of them is their concatenation.
        boolean json = format.text();
        if (json) {
            batch.addComponent(true, OPEN.duplicate());
        }
        batch.addComponent(true, first);
        int size = first.readableBytes() + (json ? 2 : 0);
        int count = 1;
        int sep = json ? 1 : 0;
        ByteBuf next;
        // A batch obeys the limits every decoder enforces: the frame size and the envelope count.
        while (count < MAX_BATCH && (next = queue.peek()) != null && size + next.readableBytes() + sep <= maxBatchBytes) {
            queue.poll();
            count++;
            if (json) {
                batch.addComponent(true, COMMA.duplicate());
            }
            batch.addComponent(true, next);
            size += next.readableBytes() + sep;
        }
        if (json) {
            batch.addComponent(true, CLOSE.duplicate());
        }
        return batch;
    }

    /** @param accounted the pending bytes this write settles; 0 means "count the frame's own bytes" */
    private void write(ByteBuf content, int accounted) {
        // Brackets and commas were never counted as pending; only the envelopes were.
        long settle = accounted > 0 ? accounted : content.readableBytes() - commaAndBrackets(content);
        WebSocketFrame frame = format.text() ? new TextWebSocketFrame(content) : new BinaryWebSocketFrame(content);
        channel.write(frame).addListener(f -> pendingBytes.addAndGet(-settle));
    }

    /** Bytes of its own a batch of {@code envelopes} adds to them: JSON's brackets and commas, none for Protobuf. */
    private int punctuation(int envelopes) {
        return format.text() ? envelopes + 1 : 0;
    }

    private int commaAndBrackets(ByteBuf batch) {
        // A JSON batch of k envelopes carries k-1 commas and two brackets: k+1 bytes of its own.
        return format.text() ? ((CompositeByteBuf) batch).numComponents() / 2 + 1 : 0;
    }

    private void releaseQueued() {
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            pendingBytes.addAndGet(-b.readableBytes());
            b.release();
        }
    }

    private static ByteBuf constant(char c) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {(byte) c}).asReadOnly());
    }
}
