package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.util.ServerFrames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * One push (a {@code message}, a presence push) as the hub fans it out to a channel's local subscribers:
 * encoded at most once per wire format, on first use, together with the header of the WebSocket frame
 * that carries it alone. A server's frames are not masked (RFC 6455, 5.1), so that frame is the same for
 * every subscriber of the format and a connection can write these very bytes; a connection that batches
 * several envelopes into one frame takes the envelope without the header instead. So a publication costs
 * one encode per wire format present among its subscribers, whatever their number, and no copy per
 * subscriber; on a node of several event loops, one per loop that has many of them ({@link #forOneLoop}).
 *
 * <p>A subscriber may also ask for one variant of each format's envelope (its permessage-deflate form),
 * derived once for all subscribers of the format by the first one to ask.
 *
 * <p>Thread-safe: the hub hands one push to the subscribers of each event loop on that loop, so several
 * threads read it at once. Every buffer it returns is the caller's (a retained view of shared bytes, to be
 * released once). The hub {@link #release releases} the push itself after its last subscriber.
 */
public final class Push {

    private static final WireFormat[] FORMATS = WireFormat.values();
    private static final int MAX_HEADER = ServerFrames.MAX_HEADER;
    private static final Object NONE = new Object(); // derive returned null: no variant

    private final ByteBufAllocator alloc;
    private final Envelope envelope;
    private final int sizeHint;
    private final AtomicReferenceArray<Encoded> encoded = new AtomicReferenceArray<>(FORMATS.length);
    private final Push shared; // a loop's own copy: the push whose variants it uses; null for the push itself
    private volatile Derived derived; // frames other front doors made of it (derivedFrame), newest first

    /** One front door's frame of this push, under its key; frame is null when the door made none. */
    private record Derived(String key, ByteBuf frame, Derived next) {
    }

    /** One format's frame: header then envelope, in one buffer. */
    private static final class Encoded {
        final ByteBuf frame;
        final int header;
        final int envelopeBytes;
        volatile Object variant; // null: nobody asked yet; NONE: there is none; else the ByteBuf

        Encoded(ByteBuf frame, int header, int envelopeBytes) {
            this.frame = frame;
            this.header = header;
            this.envelopeBytes = envelopeBytes;
        }
    }

    /** @param sizeHint about how many bytes the payload has (the buffer is sized from it) */
    public Push(ByteBufAllocator alloc, Envelope envelope, int sizeHint) {
        this(alloc, envelope, sizeHint, null);
    }

    private Push(ByteBufAllocator alloc, Envelope envelope, int sizeHint, Push shared) {
        this.alloc = alloc;
        this.envelope = envelope;
        this.sizeHint = sizeHint;
        this.shared = shared;
    }

    /**
     * This push for the subscribers of one event loop: encoded by that loop into buffers of its own, so
     * that the reference count each delivery retains and releases is touched by one thread, not contended
     * by every loop of the node at once. Variants (the compressed forms) stay the shared push's, made once.
     * The caller releases the copy after its loop's subscribers; the shared push outlives it.
     */
    public Push forOneLoop() {
        return new Push(alloc, envelope, sizeHint, this);
    }

    /** The envelope in {@code format}, as one element of a batch (the caller releases it). */
    public ByteBuf envelope(WireFormat format) {
        Encoded e = encoded(format);
        return e.frame.retainedSlice(e.frame.readerIndex() + e.header, e.envelopeBytes);
    }

    /**
     * The whole WebSocket frame carrying the envelope alone: FIN set, no extension bits, opcode text for a
     * text format and binary otherwise, not masked (the caller releases it). It goes on the socket as it is.
     */
    public ByteBuf frame(WireFormat format) {
        return encoded(format).frame.retainedDuplicate();
    }

    /**
     * The whole frame as {@link #frame} has it, not retained: for the duration of the hub's call only (the
     * hub holds the push meanwhile); the caller neither releases it nor moves its indices.
     */
    public ByteBuf sharedFrame(WireFormat format) {
        return encoded(format).frame;
    }

    /** The envelope's size in {@code format}, without the frame header. */
    public int envelopeBytes(WireFormat format) {
        return encoded(format).envelopeBytes;
    }

    /**
     * The variant of the envelope in {@code format} that {@code derive} makes from it (derive must not
     * release its argument; it may return null for "none"), computed once per push and format by the first
     * caller: one kind of variant per format, the first caller's {@code derive} decides it. Returns a view
     * the caller releases, or null when there is none.
     */
    public ByteBuf variant(WireFormat format, Function<ByteBuf, ByteBuf> derive) {
        if (shared != null) {
            return shared.variant(format, derive);
        }
        Encoded e = encoded(format);
        Object v = e.variant;
        if (v == null) {
            synchronized (e) {
                v = e.variant;
                if (v == null) {
                    ByteBuf made = derive.apply(e.frame.slice(e.frame.readerIndex() + e.header, e.envelopeBytes));
                    v = made == null ? NONE : made;
                    e.variant = v;
                }
            }
        }
        return v == NONE ? null : ((ByteBuf) v).retainedDuplicate();
    }

    /** The envelope's type ({@code message}, a presence push, ...). */
    public io.switchboard.protocol.MessageType type() {
        return envelope.type();
    }

    /**
     * A frame another front door makes of this push (the Pusher door: its event for one channel name), made
     * once per {@code key} by the first caller, from the envelope, and shared by every later caller with that
     * key, on every loop (a {@link #forOneLoop} copy asks the shared push). {@code make} returns a complete
     * WebSocket frame in a buffer the push then owns and releases with itself, or null when it has none for
     * this push (remembered too). The frame is returned unretained, valid for the duration of the hub's call
     * (the hub holds the push meanwhile); a caller that keeps it takes a retained view and leaves its
     * indices alone.
     */
    public ByteBuf derivedFrame(String key, Function<Envelope, ByteBuf> make) {
        if (shared != null) {
            return shared.derivedFrame(key, make);
        }
        Derived d = find(derived, key);
        if (d == null) {
            synchronized (this) {
                d = find(derived, key);
                if (d == null) {
                    d = new Derived(key, make.apply(envelope), derived);
                    derived = d;
                }
            }
        }
        return d.frame;
    }

    private static Derived find(Derived d, String key) {
        for (; d != null; d = d.next) {
            if (d.key.equals(key)) {
                return d;
            }
        }
        return null;
    }

    /** How many formats were encoded (for tests). */
    int encodings() {
        int n = 0;
        for (int i = 0; i < FORMATS.length; i++) {
            if (encoded.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** Gives back what the push holds; views handed out stay valid until their holders release them. */
    public void release() {
        Derived d;
        synchronized (this) {
            d = derived;
            derived = null;
        }
        for (; d != null; d = d.next) {
            if (d.frame != null) {
                d.frame.release();
            }
        }
        for (int i = 0; i < FORMATS.length; i++) {
            Encoded e = encoded.getAndSet(i, null);
            if (e != null) {
                e.frame.release();
                if (e.variant instanceof ByteBuf v) {
                    v.release();
                }
            }
        }
    }

    private Encoded encoded(WireFormat format) {
        int i = format.ordinal();
        Encoded e = encoded.get(i);
        if (e != null) {
            return e;
        }
        synchronized (this) {
            e = encoded.get(i);
            if (e == null) {
                e = encode(format);
                encoded.set(i, e);
            }
            return e;
        }
    }

    private Encoded encode(WireFormat format) {
        ByteBuf buf = alloc.buffer(MAX_HEADER + sizeHint + 128);
        buf.writerIndex(MAX_HEADER);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            format.write(envelope, out);
        } catch (IOException | RuntimeException ex) {
            buf.release();
            throw ex instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) ex;
        }
        int length = buf.writerIndex() - MAX_HEADER;
        int start = ServerFrames.setHeader(buf, MAX_HEADER, format.text() ? ServerFrames.TEXT : ServerFrames.BINARY, 0, length);
        int header = MAX_HEADER - start;
        buf.readerIndex(start);
        return new Encoded(buf, header, length);
    }
}
