package io.switchboard.client;

import io.switchboard.protocol.StreamPosition;

/**
 * What to read from a channel's history. Immutable; build one with the factory methods.
 *
 * @param since   read messages after this position (its epoch must still be the stream's); null for the oldest kept
 * @param limit   most messages to return; null for the server's default (100, or the history size if smaller).
 *                The server returns at most 1000
 * @param reverse newest first; {@code since} is then ignored
 */
public record HistoryQuery(StreamPosition since, Integer limit, boolean reverse) {

    /** The oldest kept messages, up to {@code limit}, oldest first. */
    public static HistoryQuery oldest(int limit) {
        return new HistoryQuery(null, limit, false);
    }

    /** The newest {@code limit} messages, newest first. */
    public static HistoryQuery newest(int limit) {
        return new HistoryQuery(null, limit, true);
    }

    /** Messages after {@code position}, up to {@code limit}, oldest first. */
    public static HistoryQuery after(StreamPosition position, int limit) {
        return new HistoryQuery(position, limit, false);
    }
}
