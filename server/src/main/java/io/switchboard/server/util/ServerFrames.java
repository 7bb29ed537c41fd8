package io.switchboard.server.util;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;

/**
 * WebSocket frames as this server sends them (RFC 6455 5.2): each a whole message (FIN set), never masked,
 * written as plain bytes. A session's pipeline has no frame encoder: everything a session writes is made
 * here (its messages, close frames and pongs), so that a connection holds one pipeline stage less and every
 * write and flush passes one stage fewer. The fan-out's shared frames ({@code Push}) take their header from
 * here too.
 *
 * <p>A payload of at most {@value #COPY_AT_MOST} bytes is copied behind its header into one buffer; a larger
 * one is written after a header buffer of its own, without a copy (the rule Netty's frame encoder follows).
 * The {@code rsv} bits are Netty's convention: {@code 0x4} is RSV1.
 */
public final class ServerFrames {

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PONG = 0xA;
    /** The longest header of an unmasked frame: 2 bytes, 8 of them the 64-bit length. */
    public static final int MAX_HEADER = 10;
    /** Payloads up to this size share one buffer with their header. */
    static final int COPY_AT_MOST = 1024;

    private ServerFrames() {
    }

    /** The size of the header of a frame of {@code payload} bytes: 2, 4 or 10. */
    public static int headerBytes(int payload) {
        return payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10;
    }

    /**
     * Sets, without moving any index, the header of a frame of {@code payload} bytes so that it ends just
     * before {@code end}; returns the index it starts at.
     */
    public static int setHeader(ByteBuf buf, int end, int opcode, int rsv, int payload) {
        int start = end - headerBytes(payload);
        buf.setByte(start, 0x80 | (rsv & 0x7) << 4 | opcode);
        if (payload < 126) {
            buf.setByte(start + 1, payload);
        } else if (payload <= 0xFFFF) {
            buf.setByte(start + 1, 126);
            buf.setShort(start + 2, payload);
        } else {
            buf.setByte(start + 1, 127);
            buf.setLong(start + 2, payload);
        }
        return start;
    }

    /** A frame in one buffer: the header, then a copy of {@code payload}'s readable bytes (which stay the caller's). */
    public static ByteBuf copied(ByteBufAllocator alloc, int opcode, int rsv, ByteBuf payload) {
        int n = payload.readableBytes();
        ByteBuf frame = alloc.buffer(headerBytes(n) + n);
        frame.writerIndex(headerBytes(n));
        setHeader(frame, headerBytes(n), opcode, rsv, n);
        frame.writeBytes(payload, payload.readerIndex(), n);
        return frame;
    }

    /**
     * Writes one frame of {@code payload}, which it takes (released once written, or at once when copied),
     * with the channel's void promise: a failed write reaches the pipeline as an exception. Event loop.
     */
    public static void write(Channel channel, int opcode, int rsv, ByteBuf payload) {
        int n = payload.readableBytes();
        if (n <= COPY_AT_MOST) {
            try {
                channel.write(copied(channel.alloc(), opcode, rsv, payload), channel.voidPromise());
            } finally {
                payload.release();
            }
            return;
        }
        int h = headerBytes(n);
        ByteBuf header = channel.alloc().buffer(h);
        setHeader(header, h, opcode, rsv, n);
        header.writerIndex(h);
        channel.write(header, channel.voidPromise());
        channel.write(payload, channel.voidPromise());
    }

    /**
     * A close frame: the code, then the reason (null: none) in UTF-8, cut (at a character's start) so that the payload
     * stays within a control frame's 125 bytes.
     */
    public static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
        if (reason == null) {
            reason = "";
        }
        ByteBuf payload = alloc.buffer(2 + ByteBufUtil.utf8MaxBytes(reason.length()));
        try {
            payload.writeShort(code);
            ByteBufUtil.writeUtf8(payload, reason);
            if (payload.readableBytes() > 125) {
                int end = 125;
                while ((payload.getByte(end) & 0xC0) == 0x80) { // a continuation byte: the cut goes before its character
                    end--;
                }
                payload.writerIndex(end);
            }
            return copied(alloc, CLOSE, 0, payload);
        } finally {
            payload.release();
        }
    }

    /** A pong frame carrying {@code data} (a ping's, at most 125 bytes), which stays the caller's. */
    public static ByteBuf pong(ByteBufAllocator alloc, ByteBuf data) {
        return copied(alloc, PONG, 0, data);
    }
}
