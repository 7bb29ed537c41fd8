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
import io.switchboard.server.deflate.Deflation;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's outbound queue. Any thread may {@link #deliver} encoded envelopes; the connection's
 * event loop writes them, honouring Netty's writability, and coalesces what is queued into one batch frame
 * (a JSON array in a text frame, or delimited Protobuf envelopes one after the other in a binary frame). Bytes queued here plus bytes written but not yet on the socket are bounded: going over
 * the bound calls the overflow action once (the session closes as a slow consumer) and drops the rest.
 *
 * <p>With permessage-deflate agreed ({@link Deflation}), a frame the hub is fanning out is replaced at
 * {@link #deliver} by the compressed form the hub's fan-out shares (compressed once for all subscribers of
 * the format) and written as a frame of its own, never batched; other frames are batched as before, and a
 * frame or batch of at least the threshold is compressed for this connection when written. Text and
 * binary frames alike: the extension compresses messages of either kind.
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

    private final Deflation deflate; // null: permessage-deflate was not agreed

    // Frames waiting for the event loop: a ByteBuf (an envelope, may be batched) or a Ready (a frame in its
    // final form); lock-free, written by any thread, read only by the event loop.
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    // Bytes in the queue plus bytes handed to Netty whose write has not completed; any thread.
    private final AtomicLong pendingBytes = new AtomicLong();
    // True while a flush task is queued on the event loop, so a burst schedules one flush, not many.
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    // Set once by overflow or close; from then on everything delivered is dropped.
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A frame that goes out as it is, alone: the shared compressed form of a fan-out (RSV1), or one that does not shrink. */
    private record Ready(ByteBuf content, int rsv) {
    }

    Outbound(Channel channel, long maxPendingBytes, int maxBatchBytes, Runnable onOverflow) {
        this(channel, WireFormat.JSON, maxPendingBytes, maxBatchBytes, onOverflow, null);
    }

    Outbound(Channel channel, WireFormat format, long maxPendingBytes, int maxBatchBytes, Runnable onOverflow) {
        this(channel, format, maxPendingBytes, maxBatchBytes, onOverflow, null);
    }

    /**
     * @param format  how queued envelopes are encoded, and so how a batch is made of them
     * @param deflate the permessage-deflate agreement, or null
     */
    Outbound(Channel channel, WireFormat format, long maxPendingBytes, int maxBatchBytes, Runnable onOverflow, Deflation deflate) {
        this.deflate = deflate;
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
        Object item = frame;
        int n = frame.readableBytes();
        if (deflate != null && deflate.wants(n) && deflate.sharing(frame)) {
            ByteBuf z = deflate.shared(frame);
            if (z != null) {
                frame.release();
                item = new Ready(z, Deflation.RSV1);
                n = z.readableBytes();
            } else {
                item = new Ready(frame, 0); // does not shrink: not tried again per connection
            }
        }
        if (pendingBytes.addAndGet(n) > maxPendingBytes) {
            pendingBytes.addAndGet(-n);
            (item instanceof Ready r ? r.content() : frame).release();
            overflow();
            return;
        }
        queue.offer(item);
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
        Object polled;
        while (channel.isWritable() && (polled = queue.poll()) != null) {
            if (polled instanceof Ready r) {
                int bytes = r.content().readableBytes();
                if (r.rsv() != 0) {
                    deflate.sent(bytes);
                }
                channel.write(frame(r.content(), r.rsv())).addListener(f -> pendingBytes.addAndGet(-bytes));
                wrote = true;
                continue;
            }
            ByteBuf first = (ByteBuf) polled;
            if (!(queue.peek() instanceof ByteBuf next) || first.readableBytes() + next.readableBytes() + punctuation(2) > maxBatchBytes) {
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
        // A batch obeys the limits every decoder enforces: the frame size and the envelope count.
        while (count < MAX_BATCH && queue.peek() instanceof ByteBuf next && size + next.readableBytes() + sep <= maxBatchBytes) {
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
        if (deflate != null && deflate.wants(content.readableBytes())) {
            ByteBuf z = deflate.compress(channel.alloc(), content);
            if (z != null) {
                content.release();
                deflate.sent(z.readableBytes());
                channel.write(frame(z, Deflation.RSV1)).addListener(f -> pendingBytes.addAndGet(-settle));
                return;
            }
        }
        channel.write(frame(content, 0)).addListener(f -> pendingBytes.addAndGet(-settle));
    }

    /** A final frame of this connection's kind (text for JSON, binary for Protobuf) with these RSV bits. */
    private WebSocketFrame frame(ByteBuf content, int rsv) {
        return format.text() ? new TextWebSocketFrame(true, rsv, content) : new BinaryWebSocketFrame(true, rsv, content);
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
        Object item;
        while ((item = queue.poll()) != null) {
            ByteBuf b = item instanceof Ready r ? r.content() : (ByteBuf) item;
            pendingBytes.addAndGet(-b.readableBytes());
            b.release();
        }
    }

    private static ByteBuf constant(char c) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {(byte) c}).asReadOnly());
    }
}
