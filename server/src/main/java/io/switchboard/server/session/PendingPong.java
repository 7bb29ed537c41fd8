package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.switchboard.server.util.ServerFrames;

/**
 * The WebSocket ping a session owes a pong (RFC 6455 5.5.2). Pings that arrive together share one pong,
 * for the latest of them (as 5.5.3 allows), so a ping flood costs at most one held payload (at most 125
 * bytes) and one pong per socket read, never a queue. Event loop only.
 */
final class PendingPong {

    private ByteBuf latest; // the latest ping's data not yet answered, or null

    /** A ping arrived: it replaces any earlier unanswered one. */
    void received(ByteBuf content) {
        release();
        latest = content.retainedDuplicate();
    }

    /** Writes the pong, if one is owed and the socket takes it; with {@code allowed} false only forgets it. */
    void answer(Channel channel, boolean allowed) {
        if (latest == null || (allowed && !channel.isWritable())) {
            return;
        }
        ByteBuf data = latest;
        latest = null;
        try {
            if (allowed) {
                channel.writeAndFlush(ServerFrames.pong(channel.alloc(), data), channel.voidPromise());
            }
        } finally {
            data.release();
        }
    }

    void release() {
        if (latest != null) {
            latest.release();
            latest = null;
        }
    }
}
