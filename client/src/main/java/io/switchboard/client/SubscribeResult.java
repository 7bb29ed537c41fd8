package io.switchboard.client;

import io.switchboard.protocol.StreamPosition;

/**
 * The server's answer to one subscribe of a {@link Subscription}: the first one, or a resubscribe after a
 * reconnect. Immutable.
 *
 * @param epoch        the channel stream's epoch; null on channels without history
 * @param offset       the newest offset in the stream when the subscribe was answered; -1 without history
 * @param recovered    true when the server is replaying everything missed since the last message this
 *                     subscription delivered, so nothing was lost
 * @param reason       why recovery failed when it was asked for and did not happen: {@code epoch_changed}
 *                     (the stream was lost, e.g. the server restarted), {@code out_of_retention},
 *                     {@code too_many}, {@code bad_position}; null otherwise
 * @param resubscribed true for every subscribe after the first one of this subscription
 */
public record SubscribeResult(String epoch, long offset, boolean recovered, String reason, boolean resubscribed) {

    /**
     * True when messages may have been missed: a resubscribe that did not recover (the channel keeps no
     * history, or recovery failed for {@link #reason()}). Reload state from your own source of truth.
     */
    public boolean mayHaveMissedMessages() {
        return resubscribed && !recovered;
    }

    /** The stream position reported by the server, or null on channels without history. */
    public StreamPosition position() {
        return epoch == null ? null : new StreamPosition(epoch, offset);
    }
}
