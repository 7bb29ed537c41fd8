package io.switchboard.server.util;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.internal.SystemPropertyUtil;

/**
 * The bytes a channel holds written but not yet on the socket, as an outbound queue's bound counts them:
 * Netty's own count for the channel (whole frames, their headers included) less the fixed overhead Netty
 * adds for each flushed write. Lets a queue write without a promise per write and still bound what a
 * connection holds. Approximate, by little and for a moment: a write not yet flushed still counts Netty's
 * 96 bytes (a queue flushes at the end of each of its turns); with TLS, a record being encrypted is briefly
 * counted neither as plain text nor as its encrypted form (up to 16 KiB); read from off the channel's
 * loop, the figure may be a write behind.
 */
public final class Unsent {

    /** What Netty's outbound buffer adds per write to its count (its own property, its default). */
    static final int ENTRY_OVERHEAD = Math.max(0,
            SystemPropertyUtil.getInt("io.netty.transport.outboundBufferEntrySizeOverhead", 96));

    private Unsent() {
    }

    /** Bytes written to {@code channel} and not yet on its socket; 0 once it is closed. */
    public static long bytes(Channel channel) {
        ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
        if (netty == null) {
            return 0;
        }
        // size() counts the flushed writes only
        return Math.max(0, netty.totalPendingWriteBytes() - (long) ENTRY_OVERHEAD * netty.size());
    }
}
