package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The frames the hub is fanning out on this thread (one per wire format, see {@link Frames}), so that a
 * subscriber can derive one variant of a frame (its permessage-deflate form) once for all subscribers of
 * that format instead of once each.
 *
 * <p>Contract: while {@link Hub} hands a push to its subscribers, it calls {@link #use} with the frame of
 * the subscriber it is about to call; {@link #variant} called from inside {@link Subscriber#deliver} with a
 * buffer holding the same bytes as that frame returns the variant computed by the first caller for that
 * frame (a retained duplicate, released by the caller); the hub releases the variants after the last
 * subscriber. Called with other bytes, or outside a fan-out, it returns null and the caller makes its own.
 * One variant kind per frame: the first {@code derive} function decides it. Confined to the fanning thread.
 */
public final class SharedFrame {

    private static final ThreadLocal<SharedFrame> CURRENT = new ThreadLocal<>();
    private static final ByteBuf NONE = Unpooled.EMPTY_BUFFER;

    private final SharedFrame outer;
    private ByteBuf[] frames = new ByteBuf[2];
    private ByteBuf[] variants = new ByteBuf[2]; // null: not asked yet; NONE: derive returned null
    private int count;
    private int current = -1;

    private SharedFrame(SharedFrame outer) {
        this.outer = outer;
    }

    /** Starts a fan-out on this thread (nested ones are allowed: the inner one is current until it closes). */
    static SharedFrame open() {
        SharedFrame s = new SharedFrame(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** A fan-out of one frame. */
    static SharedFrame open(ByteBuf frame) {
        SharedFrame s = open();
        s.use(frame);
        return s;
    }

    /** The frame the next subscriber gets (the hub still owns it until the fan-out ends). */
    void use(ByteBuf frame) {
        if (current >= 0 && frames[current] == frame) {
            return;
        }
        for (int i = 0; i < count; i++) {
            if (frames[i] == frame) {
                current = i;
                return;
            }
        }
        if (count == frames.length) {
            frames = Arrays.copyOf(frames, count * 2);
            variants = Arrays.copyOf(variants, count * 2);
        }
        frames[count] = frame;
        current = count++;
    }

    void close() {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
        for (int i = 0; i < count; i++) {
            if (variants[i] != null && variants[i] != NONE) {
                variants[i].release();
            }
            variants[i] = null;
            frames[i] = null;
        }
    }

    /**
     * The variant of {@code duplicate}'s bytes that {@code derive} makes (it must not release its argument,
     * and may return null for "none"), computed once per frame and fan-out; null outside one, or when
     * {@code derive} returned null.
     */
    public static ByteBuf variant(ByteBuf duplicate, Function<ByteBuf, ByteBuf> derive) {
        SharedFrame s = CURRENT.get();
        if (s == null || s.current < 0 || !sameBytes(s.frames[s.current], duplicate)) {
            return null;
        }
        int i = s.current;
        if (s.variants[i] == null) {
            ByteBuf v = derive.apply(s.frames[i].duplicate());
            s.variants[i] = v == null ? NONE : v;
        }
        return s.variants[i] == NONE ? null : s.variants[i].retainedDuplicate();
    }

    /** Whether a fan-out of exactly these bytes is under way on this thread. */
    public static boolean sharing(ByteBuf duplicate) {
        SharedFrame s = CURRENT.get();
        return s != null && s.current >= 0 && sameBytes(s.frames[s.current], duplicate);
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
        return candidate.readableBytes() == n && ByteBufUtil.equals(frame, frame.readerIndex(), candidate, candidate.readerIndex(), n);
    }
}
