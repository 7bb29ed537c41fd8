package io.switchboard.server.pusher;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Remembers, per node, the Pusher event the last publication of a channel became, so that a publication
 * delivered to many Pusher subscribers of one channel is parsed and written as a Pusher event once, not once
 * per subscriber: the hub hands every subscriber the same encoded frame, and a subscriber that finds the frame
 * it got byte for byte equal to the remembered one takes the remembered event. A fixed table of slots by the
 * channel's hash: a channel whose slot another channel took since simply transcodes again. Thread-safe; the
 * remembered events are shared and never modified.
 */
final class PusherTranscoder {

    private record Entry(String internal, byte[] frame, byte[] event) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;

    /** @param slots a power of two */
    PusherTranscoder(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two");
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.mask = slots - 1;
    }

    /** The event remembered for this exact {@code frame} (its readable bytes) on {@code internal}, or null. */
    byte[] find(String internal, ByteBuf frame) {
        Entry e = slots.get(slot(internal));
        if (e == null || e.frame.length != frame.readableBytes() || !e.internal.equals(internal)) {
            return null;
        }
        int r = frame.readerIndex();
        byte[] bytes = e.frame;
        for (int i = 0; i < bytes.length; i++) {
            if (frame.getByte(r + i) != bytes[i]) {
                return null;
            }
        }
        return e.event;
    }

    /** Remembers that {@code frame} (its bytes, not modified afterwards) on {@code internal} became {@code event}. */
    void remember(String internal, byte[] frame, byte[] event) {
        slots.set(slot(internal), new Entry(internal, frame, event));
    }

    private int slot(String internal) {
        int h = internal.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }
}
