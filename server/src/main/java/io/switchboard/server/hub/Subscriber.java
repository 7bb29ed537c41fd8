package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;
import io.switchboard.protocol.WireFormat;

/** A local receiver of one channel's frames: in practice one session's subscription to it. */
public interface Subscriber {

    /**
     * Queues one encoded envelope for sending. Takes ownership of {@code frame} (releases it when sent or
     * dropped). Callable from any thread; calls for one channel arrive in the channel's order.
     *
     * @param offset   the publication's offset, or -1 for frames without one (channels without history,
     *                 presence updates)
     * @param epoch    the epoch of the stream {@code offset} belongs to, or null when there is no offset
     * @param clientId the session id of the publishing connection, or null
     * @return false when the subscriber dropped the frame on purpose (its own publication without echo, an
     *         offset it has already passed on, or it gave up as a slow consumer)
     */
    boolean deliver(ByteBuf frame, long offset, String epoch, String clientId);

    /**
     * The wire format this subscriber's frames must be in: {@link #deliver} gets the push encoded in it (the
     * hub encodes each push once per format present among a channel's subscribers). Must not change.
     */
    default WireFormat format() {
        return WireFormat.JSON;
    }

    /**
     * The engine lost some of the channel's publications for this node ({@code PublicationSink.onGap}).
     * Called on the thread that delivers the channel, before any frame after the loss: the subscriber must
     * stop passing frames on at once, so that whatever it tells its client comes before any later offset.
     */
    default void interrupted() {
    }
}
