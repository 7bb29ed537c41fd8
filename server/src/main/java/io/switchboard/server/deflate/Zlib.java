package io.switchboard.server.deflate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Raw deflate for permessage-deflate without context takeover. The zlib streams belong to threads, not
 * connections: each thread that compresses or inflates keeps one {@link Deflater} per level and one
 * {@link Inflater}, reset before every message. A connection therefore holds no zlib state at all, idle
 * or busy; the node holds at most (threads × levels) deflaters and one inflater per event-loop thread.
 */
final class Zlib {

    /** The four octets RFC 7692 7.2.1 removes from the end of every compressed message. */
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
    /** A final, empty, fixed-Huffman block: completes the stream only at a block boundary (see {@link #inflate}). */
    private static final byte[] FINAL_EMPTY_BLOCK = {0x03, 0x00};

    private static final AtomicInteger DEFLATERS = new AtomicInteger();
    private static final AtomicInteger INFLATERS = new AtomicInteger();

    private static final FastThreadLocal<Deflater[]> DEFLATER = new FastThreadLocal<>() {
        @Override
        protected Deflater[] initialValue() {
            return new Deflater[10];
        }
    };
    private static final FastThreadLocal<Inflater> INFLATER = new FastThreadLocal<>() {
        @Override
        protected Inflater initialValue() {
            INFLATERS.incrementAndGet();
            return new Inflater(true);
        }
    };

    private Zlib() {
    }

    /** Deflaters and inflaters made since the JVM started (tests: they grow with threads, not connections). */
    static int deflatersMade() {
        return DEFLATERS.get();
    }

    static int inflatersMade() {
        return INFLATERS.get();
    }

    /**
     * Compresses {@code in}'s readable bytes (not consumed) into a new buffer, as one permessage-deflate
     * message: a fresh stream, sync-flushed, its trailing {@code 00 00 ff ff} removed.
     */
    static ByteBuf deflate(ByteBufAllocator alloc, ByteBuf in, int level) {
        Deflater[] perLevel = DEFLATER.get();
        Deflater d = perLevel[level];
        if (d == null) {
            DEFLATERS.incrementAndGet();
            d = perLevel[level] = new Deflater(level, true);
        }
        d.reset();
        ByteBuffer src = in.nioBufferCount() == 1 ? in.nioBuffer() : ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(in));
        d.setInput(src);
        ByteBuf out = alloc.directBuffer(in.readableBytes() / 2 + 64); // direct, like every other buffer of the node: no heap arena is woken up for it
        try {
            while (true) {
                out.ensureWritable(64);
                ByteBuffer dst = out.nioBuffer(out.writerIndex(), out.writableBytes());
                int n = d.deflate(dst, Deflater.SYNC_FLUSH);
                out.writerIndex(out.writerIndex() + n);
                if (n < dst.capacity()) {
                    break; // the flush fit: all input is compressed (Deflater's contract for SYNC_FLUSH)
                }
            }
            if (out.readableBytes() < TAIL.length) {
                throw new IllegalStateException("sync flush without its marker");
            }
            out.writerIndex(out.writerIndex() - TAIL.length);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Why a compressed message could not be inflated. */
    static final class InflateException extends Exception {
        final boolean tooLarge;

        InflateException(boolean tooLarge, String message) {
            super(message, null, false, false);
            this.tooLarge = tooLarge;
        }
    }

    /**
     * Inflates one permessage-deflate message, never producing more than {@code maxBytes}: the output
     * buffer's capacity is capped at {@code maxBytes + 1}, so the first byte over the cap ends the work
     * before more memory is taken. A stream that is corrupt, that stops inside a block (truncated), or
     * that has data after a final block is refused.
     */
    static ByteBuf inflate(ByteBufAllocator alloc, ByteBuf in, int maxBytes) throws InflateException {
        Inflater inf = INFLATER.get();
        inf.reset();
        ByteBuf out = alloc.directBuffer(Math.min(maxBytes + 1, Math.max(256, in.readableBytes() * 4)), maxBytes + 1);
        boolean ok = false;
        try {
            ByteBuffer src = in.nioBufferCount() == 1 ? in.nioBuffer() : ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(in));
            inf.setInput(src);
            run(inf, out, maxBytes);
            if (inf.finished()) {
                // A sender that ended with a final block then appended the empty stored block of RFC 7692
                // 7.2.1 leaves one 0x00 octet after it; anything else there is not deflate data.
                if (src.remaining() > 1 || src.remaining() == 1 && src.get(src.position()) != 0) {
                    throw new InflateException(false, "data after the final deflate block");
                }
            } else {
                inf.setInput(TAIL);
                run(inf, out, maxBytes);
                if (!inf.finished()) {
                    // At a block boundary (where every complete message ends), a final empty block ends the
                    // stream without output; inside a block it is read as more of that block's data.
                    int before = out.readableBytes();
                    inf.setInput(FINAL_EMPTY_BLOCK);
                    run(inf, out, maxBytes);
                    if (!inf.finished() || out.readableBytes() != before) {
                        throw new InflateException(false, "the deflate stream ends inside a block (truncated)");
                    }
                }
            }
            ok = true;
            return out;
        } catch (DataFormatException e) {
            throw new InflateException(false, "corrupt deflate data");
        } finally {
            if (!ok) {
                out.release();
            }
            inf.reset();
        }
    }

    private static void run(Inflater inf, ByteBuf out, int maxBytes) throws DataFormatException, InflateException {
        while (!inf.finished()) {
            if (inf.needsDictionary()) {
                throw new DataFormatException("a preset dictionary");
            }
            if (out.writableBytes() == 0) {
                if (out.capacity() > maxBytes) {
                    throw new InflateException(true, "the message inflates past " + maxBytes + " bytes");
                }
                out.ensureWritable(Math.min(Math.max(256, out.readableBytes()), maxBytes + 1 - out.readableBytes()));
            }
            ByteBuffer dst = out.nioBuffer(out.writerIndex(), out.writableBytes());
            int n = inf.inflate(dst);
            out.writerIndex(out.writerIndex() + n);
            if (out.readableBytes() > maxBytes) {
                throw new InflateException(true, "the message inflates past " + maxBytes + " bytes");
            }
            if (n == 0 && inf.needsInput()) {
                return;
            }
        }
    }
}
