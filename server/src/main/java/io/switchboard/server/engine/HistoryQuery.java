package io.switchboard.server.engine;

/**
 * A read of a channel's stream.
 *
 * @param after   return publications with an offset greater than this; -1 for "from the oldest kept"
 * @param limit   most publications to return; 0 reads only the stream's position
 * @param reverse newest first: the newest {@code limit} publications above {@code after}
 */
public record HistoryQuery(long after, int limit, boolean reverse) {

    public static HistoryQuery positionOnly() {
        return new HistoryQuery(-1, 0, false);
    }
}
