package io.switchboard.client;

import java.util.List;

/**
 * The answer to a history read. Immutable.
 *
 * @param epoch    the stream's epoch
 * @param offset   the newest offset in the stream when it was read
 * @param messages the messages, in the order asked for
 */
public record HistoryPage(String epoch, long offset, List<Message> messages) {

    public HistoryPage {
        messages = List.copyOf(messages);
    }
}
