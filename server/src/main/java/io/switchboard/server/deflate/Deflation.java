package io.switchboard.server.deflate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.AttributeKey;
import io.switchboard.server.metrics.CompressionMetrics;

/**
 * What one negotiated permessage-deflate agreement means for outbound messages. Shared by every
 * connection with the same agreement (it holds settings, no zlib state), thread-safe.
 *
 * <p>A message is compressed when it is at least {@code threshold} bytes and at most the window the
 * client allowed ({@code server_max_window_bits}): a message no longer than the window cannot refer back
 * further than it, whatever window the compressor uses. The result is used only when it is smaller.
 */
public final class Deflation {

    /** The agreement of a connection, set by the transport before the session exists. */
    public static final AttributeKey<Deflation> KEY = AttributeKey.valueOf("switchboard.deflation");

    /** Netty's {@code rsv} bits of a frame with RSV1 set ("this message is compressed"). */
    public static final int RSV1 = 0x4;

    private final int threshold;
    private final int level;
    private final int maxMessage;
    private final CompressionMetrics metrics;

    Deflation(int threshold, int level, int windowBits, CompressionMetrics metrics) {
        this.threshold = threshold;
        this.level = level;
        this.maxMessage = windowBits >= 15 ? Integer.MAX_VALUE : 1 << windowBits;
        this.metrics = metrics;
    }

    /** Whether a message of this many bytes is worth compressing and allowed by the window. */
    public boolean wants(int bytes) {
        return bytes >= threshold && bytes <= maxMessage;
    }

    /**
     * The compressed form of an envelope the hub is fanning out, for {@link io.switchboard.server.hub.Push#variant}:
     * made once for every subscriber of the push (the same level holds for every agreement of the node), in
     * a buffer of the shared pool; null when it does not shrink. Does not consume {@code envelope}.
     */
    public ByteBuf compressForAll(ByteBuf envelope) {
        return compress(PooledByteBufAllocator.DEFAULT, envelope, true);
    }

    /** The compressed form of one connection's frame (not consumed), or null when it does not shrink. */
    public ByteBuf compress(ByteBufAllocator alloc, ByteBuf frame) {
        return compress(alloc, frame, false);
    }

    private ByteBuf compress(ByteBufAllocator alloc, ByteBuf frame, boolean shared) {
        int plain = frame.readableBytes();
        ByteBuf z = Zlib.deflate(alloc, frame, level);
        metrics.compressed(shared, plain, z.readableBytes());
        if (z.readableBytes() >= plain) {
            z.release();
            return null;
        }
        return z;
    }

    /** Counts a compressed frame written to one connection. */
    public void sent(int compressedBytes) {
        metrics.frameSent(compressedBytes);
    }
}
