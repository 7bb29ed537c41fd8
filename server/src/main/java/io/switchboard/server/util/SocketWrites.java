package io.switchboard.server.util;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A frame put on a connection's socket by one {@code write(2)} from the connection's event loop, without
 * passing the pipeline or Netty's outbound buffer: no buffer entry, promise or flush through the pipeline
 * per frame (and, for a fan-out's shared frame written with {@link #writeNow}, no reference of its own).
 * Only where that is the same as what Netty would do: an epoll socket whose pipeline has no outbound stage
 * (no TLS, no encoder) and for which Netty holds nothing, written or flushed, so the bytes cannot overtake
 * earlier ones; and only on the channel's event loop, where Netty closes it, so the descriptor cannot have
 * been closed (Netty drops the outbound buffer before it closes the socket). What the socket does not take
 * (a full send buffer, an error) is the caller's to hand to Netty as before, which then meets the same
 * condition and deals with it its usual way (waits for the socket to drain, or closes the channel).
 */
public final class SocketWrites {

    private SocketWrites() {
    }

    /**
     * Whether {@code channel}'s frames may go straight to its socket: an epoll stream whose pipeline has no
     * outbound handler. Call once the pipeline is final (after the WebSocket upgrade).
     */
    public static boolean eligible(Channel channel) {
        if (!(channel instanceof AbstractEpollStreamChannel)) {
            return false;
        }
        ChannelPipeline pipeline = channel.pipeline();
        for (Map.Entry<String, io.netty.channel.ChannelHandler> e : pipeline) {
            if (e.getValue() instanceof ChannelOutboundHandler) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes {@code frame}'s readable bytes to the socket of an {@link #eligible} channel when Netty holds
     * nothing for it. Returns true when all of them went, having released {@code frame}; false otherwise,
     * with {@code frame}'s reader index moved past what went, for the caller to write the rest through Netty.
     * Event loop only.
     */
    public static boolean write(Channel channel, ByteBuf frame) {
        int written = writeNow(channel, frame);
        if (written < 0) {
            return false;
        }
        if (written == frame.readableBytes()) {
            frame.release();
            return true;
        }
        frame.skipBytes(written);
        return false;
    }

    /**
     * Writes {@code bytes}' readable bytes to the socket of an {@link #eligible} channel when Netty holds
     * nothing for it, leaving {@code bytes} as it was (its indices, its reference count). Returns how many
     * went (0 when the socket's buffer is full), or -1 when none went: Netty holds something, the channel is
     * closed, this is not its event loop, the bytes are not in direct memory, or the socket reported an error
     * (which Netty's own write of them meets and deals with). {@code bytes} may be shared with other threads
     * (read only). Event loop only.
     */
    public static int writeNow(Channel channel, ByteBuf bytes) {
        if (!channel.eventLoop().inEventLoop()) {
            return -1; // only the loop that closes the channel knows its descriptor is still this socket's
        }
        ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
        if (netty == null || netty.totalPendingWriteBytes() != 0 || !channel.isActive()) {
            return -1; // closed, or something is waiting ahead of these bytes
        }
        FileDescriptor socket = ((AbstractEpollStreamChannel) channel).fd();
        try {
            if (bytes.hasMemoryAddress()) {
                return socket.writeAddress(bytes.memoryAddress(), bytes.readerIndex(), bytes.writerIndex());
            }
            if (bytes.isDirect() && bytes.nioBufferCount() == 1) {
                // a view of its own: the buffer's internal one is not safe while other loops write it too
                ByteBuffer nio = bytes.nioBuffer(bytes.readerIndex(), bytes.readableBytes());
                return socket.write(nio, nio.position(), nio.limit());
            }
            return -1; // on the heap: Netty copies it to a direct buffer for the socket
        } catch (IOException e) {
            return -1; // Netty's write meets the same error and closes the channel as it always does
        }
    }
}
