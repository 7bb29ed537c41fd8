package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;
import io.switchboard.protocol.WireFormat;

/**
 * A local receiver of one channel's frames: in practice one session's subscription to it.
 *
 * <p>Threading: the hub calls {@link #deliver(Push, long, String, String)} and {@link #interrupted} on the
 * subscriber's {@link #executor} (the connection's event loop), one task per event loop per push carrying
 * all of that loop's subscribers, so that a subscriber sees the channel's pushes one at a time and in the
 * channel's order. A subscriber without an executor is called on the thread that delivers the channel.
 */
public interface Subscriber {

    /**
     * Queues one push for sending, in this subscriber's {@link #format}. The push stays the hub's: take
     * what is kept beyond the call as views ({@link Push#envelope}, {@link Push#frame}), which are the
     * caller's to release. The default passes the envelope on to {@link #deliver(ByteBuf, long, String, String)}.
     *
     * @return as {@link #deliver(ByteBuf, long, String, String)}
     */
    default boolean deliver(Push push, long offset, String epoch, String clientId) {
        return deliver(push.envelope(format()), offset, epoch, clientId);
    }

    /**
     * As {@link #deliver(Push, long, String, String)}, when nothing waits on this subscriber's event loop (no
     * later push of the channel, no other task): the push may be sent at once rather than after the loop's
     * current tasks, since nothing would join it in a batch (a loop that is behind gets {@code deliver}, and
     * what it queues for a connection leaves together). Called in a task of its own on the subscriber's
     * {@link #executor}, never in line with the engine's delivery. The default is {@code deliver}.
     */
    default boolean deliverNow(Push push, long offset, String epoch, String clientId) {
        return deliver(push, offset, epoch, clientId);
    }

    /** What {@link #deliveredBytes} returns for a delivery the hub must not count: its front door counts it. */
    int COUNTED_ELSEWHERE = -1;

    /**
     * The bytes a delivery of {@code push} to this subscriber handed its connection, for the node's
     * {@code protocol="native"} counters of messages and bytes out; called by the hub's delivering thread right
     * after a delivery that returned true. {@link #COUNTED_ELSEWHERE} when the subscriber's front door counts
     * what it writes under its own protocol (the Pusher door), so that no delivery is counted twice; the
     * delivery still counts as one for the publication's delivery latency. The default is the envelope's size
     * in this subscriber's format.
     */
    default int deliveredBytes(Push push) {
        return push.envelopeBytes(format());
    }

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
     * Where the hub calls this subscriber: the event loop of its connection, so that the push is handed over
     * and written on the thread that owns the socket; null to be called on the thread that delivers the
     * channel. Must not change.
     */
    default io.netty.util.concurrent.EventExecutor executor() {
        return null;
    }

    /**
     * Where the hub last put this subscriber among its channel's members on its event loop, as given to
     * {@link #memberSlot(int)}. The hub's alone: called by the hub inside its lock for the channel, never by
     * the subscriber. A subscriber that keeps it (an {@code int} field starting at {@code SlotArray.NONE}, -1,
     * and nothing else done with it) lets the hub remove it in constant time; the default,
     * {@code SlotArray.UNKNOWN}, keeps none, and the hub scans the members for it.
     */
    default int memberSlot() {
        return io.switchboard.server.util.SlotArray.UNKNOWN;
    }

    /** Keeps {@code slot} for {@link #memberSlot()}; the default keeps nothing. The hub's alone, as there. */
    default void memberSlot(int slot) {
    }

    /**
     * The engine lost some of the channel's publications for this node ({@code PublicationSink.onGap}).
     * Called like {@link #deliver(Push, long, String, String)}: after every push from before the loss and
     * before any push after it; the subscriber must
     * stop passing frames on at once, so that whatever it tells its client comes before any later offset.
     */
    default void interrupted() {
    }
}
