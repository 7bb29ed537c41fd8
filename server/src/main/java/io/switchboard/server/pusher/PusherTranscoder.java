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
 *
 * <p>Likewise a {@code member_added} needs the member's {@code user_info}, read from presence: the reads of
 * all the channel's subscribers for the same member while one is in flight share that one
 * ({@link #memberInfo}).
 */
final class PusherTranscoder {

    // frame: the envelope's bytes, wrapped (heap, never released) for ByteBufUtil.equals' word-wise compare
    private record Entry(String internal, ByteBuf frame, byte[] event) {
    }

    private final AtomicReferenceArray<Entry> slots;
    // "channel \n user" -> the presence read in flight for that member's info
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<byte[]>> infoReads =
            new java.util.concurrent.ConcurrentHashMap<>();
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
        int n = frame.readableBytes();
        if (e == null || e.frame.readableBytes() != n || !e.internal.equals(internal)
                || !io.netty.buffer.ByteBufUtil.equals(e.frame, 0, frame, frame.readerIndex(), n)) {
            return null;
        }
        return e.event;
    }

    /** Remembers that {@code frame} (its bytes, not modified afterwards) on {@code internal} became {@code event}. */
    void remember(String internal, byte[] frame, byte[] event) {
        slots.set(slot(internal), new Entry(internal, io.netty.buffer.Unpooled.wrappedBuffer(frame), event));
    }

    /**
     * The member's {@code user_info}: the read in flight for the same member of {@code internal} if there is
     * one, otherwise {@code read}'s, which later callers share until it completes.
     */
    java.util.concurrent.CompletableFuture<byte[]> memberInfo(String internal, String user,
            java.util.function.Supplier<java.util.concurrent.CompletableFuture<byte[]>> read) {
        String key = internal + "\n" + user;
        java.util.concurrent.CompletableFuture<byte[]> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<byte[]> shared = infoReads.putIfAbsent(key, mine);
        if (shared != null) {
            return shared;
        }
        read.get().whenComplete((info, failure) -> {
            infoReads.remove(key, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(info);
            }
        });
        return mine;
    }

    private int slot(String internal) {
        int h = internal.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }
}
