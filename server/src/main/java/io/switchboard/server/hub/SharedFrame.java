package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;
import java.util.function.Function;

/**
 * The frame the hub is fanning out on this thread, so that a subscriber can derive one variant of it
 * (its permessage-deflate form) once for all subscribers instead of once each.
 *
 * <p>Contract: while {@link Hub} hands a frame to its subscribers, {@link #variant} called from inside
 * {@link Subscriber#deliver} with a buffer holding the same bytes as that frame returns the variant
 * computed by the first caller (a retained duplicate, released by the caller); the hub releases the
 * variant after the last subscriber. Called with other bytes, or outside a fan-out, it returns null and
 * the caller makes its own. One variant kind per fan-out: the first {@code derive} function decides it.
 */
public final class SharedFrame {

    private static final ThreadLocal<SharedFrame> CURRENT = new ThreadLocal<>();
    private static final ByteBuf NONE = io.netty.buffer.Unpooled.EMPTY_BUFFER;

    private final ByteBuf frame;
    private final SharedFrame outer;
    private ByteBuf variant; // null: not asked yet; NONE: derive returned null

    private SharedFrame(ByteBuf frame, SharedFrame outer) {
        this.frame = frame;
        this.outer = outer;
    }

    static SharedFrame open(ByteBuf frame) {
        SharedFrame s = new SharedFrame(frame, CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    void close() {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
        if (variant != null && variant != NONE) {
            variant.release();
        }
    }

    /**
     * The variant of {@code duplicate}'s bytes that {@code derive} makes (it must not release its argument,
     * and may return null for "none"), computed once per fan-out; null outside one, or when {@code derive}
     * returned null.
     */
    public static ByteBuf variant(ByteBuf duplicate, Function<ByteBuf, ByteBuf> derive) {
        SharedFrame s = CURRENT.get();
        if (s == null || !sameBytes(s.frame, duplicate)) {
            return null;
        }
        if (s.variant == null) {
            ByteBuf v = derive.apply(s.frame.duplicate());
            s.variant = v == null ? NONE : v;
        }
        return s.variant == NONE ? null : s.variant.retainedDuplicate();
    }

    /** Whether a fan-out of exactly these bytes is under way on this thread. */
    public static boolean sharing(ByteBuf duplicate) {
        SharedFrame s = CURRENT.get();
        return s != null && sameBytes(s.frame, duplicate);
    }

    /**
     * Compares the bytes, not the buffers: how a duplicate unwraps depends on wrappers the test of
     * identity cannot see through (Netty's leak detector wraps one allocation in 128 and its duplicates
     * separately, so the fan-out's own frame was missed now and then), and buffers cut from one chunk may
     * share a parent. Equal bytes have an equal variant, whatever buffer they are in. One comparison per
     * delivery to a connection that wants the variant.
     */
    private static boolean sameBytes(ByteBuf frame, ByteBuf candidate) {
        int n = frame.readableBytes();
        return candidate.readableBytes() == n
                && io.netty.buffer.ByteBufUtil.equals(frame, frame.readerIndex(), candidate, candidate.readerIndex(), n);
    }
}
