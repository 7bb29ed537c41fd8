package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.switchboard.protocol.EnvelopeDecoder;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.deflate.Deflation;
import io.switchboard.server.hub.Push;
import io.switchboard.server.util.LoopFlush;
import io.switchboard.server.util.ServerFrames;
import io.switchboard.server.util.SocketWrites;
import io.switchboard.server.util.Unsent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One connection's outbound queue. Any thread may {@link #deliver} encoded envelopes; the connection's
 * event loop writes them, honouring Netty's writability, and coalesces what is queued into one batch frame
 * (a JSON array in a text frame, or delimited Protobuf envelopes one after the other in a binary frame). Bytes queued here plus bytes written but not yet on the socket are bounded: going over
 * the bound calls the overflow action once (the session closes as a slow consumer) and drops the rest.
 * What is queued here is counted here (envelopes, or a {@code Ready} frame's content); what was written
 * and is not yet on the socket is counted by Netty ({@link Unsent}: whole frames, headers and a batch's
 * brackets included). Writes carry the channel's void promise: no promise is made or notified per write
 * to keep the count. The frames are made here as bytes ({@link ServerFrames}; the pipeline has no frame
 * encoder): a frame of more than 1 KiB goes as two buffers, its header and its payload, without a copy.
 *
 * <p>A push the hub fans out ({@link #deliver(Push)}) is written on the event loop as the frame every
 * subscriber shares when nothing is waiting here, and queued as an envelope otherwise. With
 * permessage-deflate agreed ({@link Deflation}), a push is sent as the compressed form the fan-out shares
 * (compressed once for all subscribers of the format), as a frame of its own, never batched; other frames are batched as before, and a
 * frame or batch of at least the threshold is compressed for this connection when written. Text and
 * binary frames alike: the extension compresses messages of either kind.
 */
final class Outbound implements Runnable {

    private static final ByteBuf OPEN = constant('[');
    private static final ByteBuf COMMA = constant(',');
    private static final ByteBuf CLOSE = constant(']');

    private static final int MAX_BATCH = EnvelopeDecoder.DEFAULT_MAX_BATCH;

    private final Channel channel;
    private final Limits limits; // shared by the node's connections of one wire format
    private final Overflow onOverflow;

    private final Deflation deflate; // null: permessage-deflate was not agreed
    // Whether a push's shared frame may go straight to the socket (SocketWrites); set once when the session starts.
    private boolean direct;

    // Frames waiting for the event loop: a ByteBuf (an envelope, may be batched) or a Ready (a frame in its
    // final form); lock-free, written by any thread, read only by the event loop. Made by the first item
    // that cannot go in `first` (most idle connections never need one): null until then, never unset.
    private volatile ConcurrentLinkedQueue<Object> queue;
    private static final AtomicReferenceFieldUpdater<Outbound, ConcurrentLinkedQueue> QUEUE =
            AtomicReferenceFieldUpdater.newUpdater(Outbound.class, ConcurrentLinkedQueue.class, "queue");
    // What goes before the queue: an item queued on the event loop while nothing was waiting (the common
    // case of a fan-out: one push per connection per iteration), kept without the lock-free queue's node
    // and its atomic operations. Event loop only. Items queued after it, on any thread, go behind it.
    private Object first;
    // Bytes in the queue, until the event loop hands them to Netty; any thread.
    // (Field updaters rather than Atomic* objects: three fewer objects per connection.)
    private static final AtomicLongFieldUpdater<Outbound> PENDING = AtomicLongFieldUpdater.newUpdater(Outbound.class, "pendingBytes");
    private volatile long pendingBytes;
    // True while a flush task is queued on the event loop, so a burst schedules one flush, not many.
    private volatile boolean flushScheduled;
    // Set once by overflow or close; from then on everything delivered is dropped.
    private volatile boolean closed;
    // (Booleans with VarHandles rather than ints with field updaters: with `direct` they fit where two ints did.)
    private static final VarHandle SCHEDULED;
    private static final VarHandle CLOSED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SCHEDULED = lookup.findVarHandle(Outbound.class, "flushScheduled", boolean.class);
            CLOSED = lookup.findVarHandle(Outbound.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Told, on the event loop, once the bound is passed: the owner gives up on the connection. The session
     * is its own, so that a connection carries no callback object for it.
     */
    interface Overflow {
        void overflowed();
    }

    /**
     * What the connections of one wire format on one node have alike: the format, the bound on queued bytes
     * and the largest batch. One object for them all rather than three fields in each connection's Outbound
     * (16 bytes a connection on JDK 17): {@link #of} hands out the last one made for the format when its
     * bounds are the same (the node's settings rarely change; a test's may).
     */
    record Limits(WireFormat format, long maxPendingBytes, int maxBatchBytes) {
        // The last made per format. Written and read without a lock: a record's fields are final, so any
        // thread that sees one sees it whole, and a lost race only makes one more.
        private static final Limits[] LAST = new Limits[WireFormat.values().length];

        static Limits of(WireFormat format, long maxPendingBytes, int maxBatchBytes) {
            Limits last = LAST[format.ordinal()];
            if (last != null && last.maxPendingBytes == maxPendingBytes && last.maxBatchBytes == maxBatchBytes) {
                return last;
            }
            Limits made = new Limits(format, maxPendingBytes, maxBatchBytes);
            LAST[format.ordinal()] = made;
            return made;
        }
    }

    /** A frame that goes out as it is, alone: the shared compressed form of a fan-out (RSV1), or one that does not shrink. */
    private record Ready(ByteBuf content, int rsv) {
    }

    /**
     * A push's whole WebSocket frame, header then envelope: written as it is when it leaves alone, or, in a
     * batch, its envelope without the header.
     */
    private record Whole(ByteBuf frame, int header) {
        ByteBuf envelope() {
            return frame.skipBytes(header); // this queue's own view of the shared bytes: its indices are ours
        }
    }

    Outbound(Channel channel, long maxPendingBytes, int maxBatchBytes, Overflow onOverflow) {
        this(channel, WireFormat.JSON, maxPendingBytes, maxBatchBytes, onOverflow, null);
    }

    Outbound(Channel channel, WireFormat format, long maxPendingBytes, int maxBatchBytes, Overflow onOverflow) {
        this(channel, format, maxPendingBytes, maxBatchBytes, onOverflow, null);
    }

    /**
     * @param format  how queued envelopes are encoded, and so how a batch is made of them
     * @param deflate the permessage-deflate agreement, or null
     */
    Outbound(Channel channel, WireFormat format, long maxPendingBytes, int maxBatchBytes, Overflow onOverflow, Deflation deflate) {
        this.deflate = deflate;
        this.channel = channel;
        this.limits = Limits.of(format, maxPendingBytes, maxBatchBytes);
        this.onOverflow = onOverflow;
    }

    /**
     * Sends one push the hub is fanning out: queued as its shared frame, which goes on the socket as it is
     * (no header encoded, no copy) when it leaves alone, and gives its envelope to a batch when other
     * envelopes are waiting with it. With permessage-deflate its compressed form, made once per push, is
     * queued as a frame of its own. The push stays the caller's. Any thread.
     */
    void deliver(Push push) {
        if (closed) {
            return;
        }
        int n = push.envelopeBytes(limits.format());
        if (deflate != null && deflate.wants(n)) {
            ByteBuf z = push.variant(limits.format(), deflate::compressForAll);
            // does not shrink: sent plain, alone, not tried again per connection
            enqueue(z != null ? new Ready(z, Deflation.RSV1) : new Ready(push.envelope(limits.format()), 0), z != null ? z.readableBytes() : n);
            return;
        }
        ByteBuf frame = push.frame(limits.format());
        enqueue(new Whole(frame, frame.readableBytes() - n), n);
    }

    /**
     * As {@link #deliver(Push)}, on the event loop when the hub has no later push of the channel waiting for
     * it: when nothing waits here either and Netty holds nothing, the shared frame goes straight to the socket
     * now ({@link SocketWrites}), with no queue item, reference or flush of its own; what the socket does not
     * take goes to Netty at once, behind nothing. Otherwise, or with permessage-deflate, as {@code deliver}.
     */
    void deliverNow(Push push) {
        // Nothing queued here: every item is counted in pendingBytes before it is queued (one field to read,
        // not the queue's nodes); an item another thread is queueing meanwhile comes after this push either way.
        if (direct && deflate == null && !closed && pendingBytes == 0 && push.envelopeBytes(limits.format()) <= limits.maxPendingBytes()) {
            // (a push over the bound on its own takes the queued path, which closes the connection as a slow consumer)
            ByteBuf frame = push.sharedFrame(limits.format());
            int written = SocketWrites.writeNow(channel, frame);
            int length = frame.readableBytes();
            if (written == length) {
                return;
            }
            if (written >= 0) {
                // Netty holds the rest from here, counted by Unsent; later pushes queue behind it
                channel.writeAndFlush(frame.retainedSlice(frame.readerIndex() + written, length - written), channel.voidPromise());
                return;
            }
        }
        deliver(push);
    }

    /** Queues one encoded envelope; takes ownership of {@code frame}. Any thread. */
    void deliver(ByteBuf frame) {
        if (closed) {
            frame.release();
            return;
        }
        enqueue(frame, frame.readableBytes());
    }

    /** Queues an envelope (a ByteBuf, may be batched) or a {@link Ready} frame of {@code n} bytes; takes ownership. */
    private void enqueue(Object item, int n) {
        if (PENDING.addAndGet(this, n) + Unsent.bytes(channel) > limits.maxPendingBytes()) {
            PENDING.addAndGet(this, -n);
            content(item).release();
            overflow();
            return;
        }
        ConcurrentLinkedQueue<Object> q = queue;
        if (first == null && (q == null || q.isEmpty()) && channel.eventLoop().inEventLoop()) {
            first = item; // close() runs on this loop too: it cannot have run since the check in deliver
            scheduleFlush();
            return;
        }
        queue().offer(item);
        if (closed) {
            releaseOffered(); // lost a race with close(); do not leave the frame behind
            return;
        }
        scheduleFlush();
    }

    /** Gives up on this connection as a slow consumer (once): drops the queue and runs the overflow action. */
    void overflow() {
        if (CLOSED.compareAndSet(this, false, true)) {
            channel.eventLoop().execute(() -> {
                releaseQueued();
                onOverflow.overflowed();
            });
        }
    }

    /**
     * Makes the event loop write what is queued: on the loop itself, once after the tasks of its current
     * iteration ({@link LoopFlush}), so that whatever that iteration queues for this connection (the acks of
     * a batch of commands, several publications the loop was behind on) leaves together; from another
     * thread, as a task.
     */
    void scheduleFlush() {
        if (SCHEDULED.compareAndSet(this, false, true)) {
            LoopFlush.schedule(channel.eventLoop(), this);
        }
    }

    /** The flush task handed to the event loop from other threads: {@link #flush}. Event loop only. */
    @Override
    public void run() {
        flush();
    }

    /** Writes what is queued while the channel is writable. Event loop only. */
    void flush() {
        flushScheduled = false;
        if (closed) {
            releaseQueued(); // nothing may follow the close frame
            return;
        }
        boolean wrote = false;
        Object polled;
        while (channel.isWritable() && (polled = poll()) != null) {
            if (polled instanceof Ready r) {
                int bytes = r.content().readableBytes();
                if (r.rsv() != 0) {
                    deflate.sent(bytes);
                }
                handFrame(r.content(), r.rsv(), bytes);
                wrote = true;
                continue;
            }
            Object next = peek();
            int size = envelopeBytes(polled);
            if (!batchable(next) || size + envelopeBytes(next) + punctuation(2) > limits.maxBatchBytes()) {
                if (polled instanceof Whole w) {
                    if (direct && SocketWrites.write(channel, w.frame())) {
                        PENDING.addAndGet(this, -size); // on the socket: nothing for Netty to count or flush
                        continue;
                    }
                    hand(w.frame(), size); // the bytes as they are (or what the socket did not take)
                } else {
                    write((ByteBuf) polled, size);
                }
            } else {
                write(batch(envelope(polled)), 0);
            }
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    /**
     * Lets a push's shared frame go straight to the socket when nothing is waiting for it ({@link SocketWrites});
     * called once the pipeline is final. Event loop only.
     */
    void writeDirectWhenIdle() {
        direct = SocketWrites.eligible(channel);
    }

    /** The connection's channel (for tests that look at its pipeline). */
    Channel channel() {
        return channel;
    }

    /** Whether pushes may go straight to the socket ({@link #writeDirectWhenIdle}). */
    boolean writesDirect() {
        return direct;
    }

    /** The event loop that writes this connection. */
    io.netty.channel.EventLoop loop() {
        return channel.eventLoop();
    }

    /** The wire format of what is queued here. */
    WireFormat format() {
        return limits.format();
    }

    /** The connection's bound, which also caps what a subscription may hold back while it starts. */
    long maxPendingBytes() {
        return limits.maxPendingBytes();
    }

    /** Drops everything queued and refuses what comes later. Event loop only. */
    void close() {
        closed = true;
        releaseQueued();
    }

    private CompositeByteBuf batch(ByteBuf first) {
        CompositeByteBuf batch = channel.alloc().compositeBuffer(Integer.MAX_VALUE);
        // Protobuf envelopes are delimited already: a batch of them is their concatenation.
        boolean json = limits.format().text();
        if (json) {
            batch.addComponent(true, OPEN.duplicate());
        }
        batch.addComponent(true, first);
        int size = first.readableBytes() + (json ? 2 : 0);
        int count = 1;
        int sep = json ? 1 : 0;
        // A batch obeys the limits every decoder enforces: the frame size and the envelope count.
        Object item;
        while (count < MAX_BATCH && batchable(item = peek()) && size + envelopeBytes(item) + sep <= limits.maxBatchBytes()) {
            poll();
            ByteBuf next = envelope(item);
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
                handFrame(z, Deflation.RSV1, settle);
                return;
            }
        }
        handFrame(content, 0, settle);
    }

    /**
     * Writes {@code msg} and stops counting {@code queued} of this queue's bytes: from here Netty counts
     * them, until they are on the socket. Written first, so that a bound checked meanwhile on another thread
     * counts them twice, never not at all. With the channel's void promise, a write that fails reaches the
     * session's handler as an exception (an I/O error closes the connection quietly, anything else as an
     * internal error).
     */
    private void hand(ByteBuf msg, long queued) {
        channel.write(msg, channel.voidPromise());
        PENDING.addAndGet(this, -queued);
    }

    /**
     * Writes {@code content} as a frame of this connection's kind (text for JSON, binary for Protobuf) with these
     * RSV bits, made here ({@link ServerFrames}: the pipeline has no frame encoder); as {@link #hand}.
     */
    private void handFrame(ByteBuf content, int rsv, long queued) {
        ServerFrames.write(channel, limits.format().text() ? ServerFrames.TEXT : ServerFrames.BINARY, rsv, content);
        PENDING.addAndGet(this, -queued);
    }

    /** Bytes of its own a batch of {@code envelopes} adds to them: JSON's brackets and commas, none for Protobuf. */
    private int punctuation(int envelopes) {
        return limits.format().text() ? envelopes + 1 : 0;
    }

    private int commaAndBrackets(ByteBuf batch) {
        // A JSON batch of k envelopes carries k-1 commas and two brackets: k+1 bytes of its own.
        return limits.format().text() ? ((CompositeByteBuf) batch).numComponents() / 2 + 1 : 0;
    }

    /** The next item to write, without taking it. Event loop only. */
    private Object peek() {
        if (first != null) {
            return first;
        }
        ConcurrentLinkedQueue<Object> q = queue;
        return q == null ? null : q.peek();
    }

    /** Takes the next item to write. Event loop only. */
    private Object poll() {
        Object item = first;
        if (item == null) {
            ConcurrentLinkedQueue<Object> q = queue;
            return q == null ? null : q.poll();
        }
        first = null;
        return item;
    }

    /** Drops everything waiting. Event loop only. */
    private void releaseQueued() {
        Object item = first;
        if (item != null) {
            first = null;
            PENDING.addAndGet(this, -(item instanceof Ready r ? r.content().readableBytes() : envelopeBytes(item)));
            content(item).release();
        }
        releaseOffered();
    }

    /** Drops what other threads queued (the lock-free part); any thread. */
    private void releaseOffered() {
        ConcurrentLinkedQueue<Object> q = queue;
        if (q == null) {
            return;
        }
        Object item;
        while ((item = q.poll()) != null) {
            PENDING.addAndGet(this, -(item instanceof Ready r ? r.content().readableBytes() : envelopeBytes(item)));
            content(item).release();
        }
    }

    /** Whether a queued item may join a batch: an envelope, or a push's frame (by its envelope). */
    private static boolean batchable(Object item) {
        return item instanceof ByteBuf || item instanceof Whole;
    }

    /** A batchable item's envelope size, without any frame header. */
    private static int envelopeBytes(Object item) {
        return item instanceof Whole w ? w.frame().readableBytes() - w.header() : ((ByteBuf) item).readableBytes();
    }

    /** A batchable item as an envelope, owned by the caller. */
    private static ByteBuf envelope(Object item) {
        return item instanceof Whole w ? w.envelope() : (ByteBuf) item;
    }

    /** The buffer an item holds, whatever its kind. */
    private static ByteBuf content(Object item) {
        return item instanceof Ready r ? r.content() : item instanceof Whole w ? w.frame() : (ByteBuf) item;
    }

    /** The lock-free queue, made by the first caller that needs it. Any thread. */
    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<Object> queue() {
        ConcurrentLinkedQueue<Object> q = queue;
        if (q == null) {
            QUEUE.compareAndSet(this, null, new ConcurrentLinkedQueue<>());
            q = queue;
        }
        return q;
    }

    private static ByteBuf constant(char c) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {(byte) c}).asReadOnly());
    }
}
