package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.WireFormat;

/**
 * One push (a {@code message}, a presence push) as the hub fans it out: encoded at most once per wire
 * format, on first use, and shared by every subscriber of that format through retained duplicates. So a
 * publication costs one JSON encode when only JSON clients follow its channel, one Protobuf encode when only
 * Protobuf clients do, and one of each when both do; never one per subscriber. Confined to the thread that
 * fans the push out; {@link #release} gives back every encoded buffer.
 *
 * <p>This is the seam for any other per-format work done once per push (compressing a frame, say): it
 * belongs in {@link #frame}, next to the encode, keyed the same way.
 */
final class Frames {

    private static final WireFormat[] FORMATS = WireFormat.values();

    private final ByteBufAllocator alloc;
    private final Envelope envelope;
    private final int sizeHint;
    private final ByteBuf[] encoded = new ByteBuf[FORMATS.length];

    Frames(ByteBufAllocator alloc, Envelope envelope, int sizeHint) {
        this.alloc = alloc;
        this.envelope = envelope;
        this.sizeHint = sizeHint;
    }

    /** The push encoded for {@code format} (encoded now if this is its first subscriber); still owned here. */
    ByteBuf frame(WireFormat format) {
        ByteBuf b = encoded[format.ordinal()];
        if (b == null) {
            b = Hub.encode(alloc, format, envelope, sizeHint);
            encoded[format.ordinal()] = b;
        }
        return b;
    }

    /** How many formats were encoded (for tests and metrics). */
    int encodings() {
        int n = 0;
        for (ByteBuf b : encoded) {
            if (b != null) {
                n++;
            }
        }
        return n;
    }

    void release() {
        for (int i = 0; i < encoded.length; i++) {
            if (encoded[i] != null) {
                encoded[i].release();
                encoded[i] = null;
            }
        }
    }
}
