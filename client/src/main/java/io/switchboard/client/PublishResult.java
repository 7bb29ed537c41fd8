package io.switchboard.client;

import io.switchboard.protocol.StreamPosition;

/**
 * The acknowledgement of a publish: the server accepted the message and handed it to the channel's
 * subscribers. On channels with history it says where the message was stored. Immutable.
 *
 * @param epoch  the stream's epoch; null on channels without history
 * @param offset the message's offset; -1 on channels without history
 */
public record PublishResult(String epoch, long offset) {

    public StreamPosition position() {
        return epoch == null ? null : new StreamPosition(epoch, offset);
    }
}
