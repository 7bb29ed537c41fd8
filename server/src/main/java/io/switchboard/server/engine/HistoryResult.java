package io.switchboard.server.engine;

import java.util.List;

/**
 * A stream's state and the publications a query asked for.
 *
 * @param epoch    the stream's epoch (a new one whenever the stream was lost and restarted)
 * @param offset   the offset of the newest publication; 0 for a stream with none yet
 * @param earliest the offset of the oldest publication still kept; {@code offset + 1} when none is kept
 */
public record HistoryResult(String epoch, long offset, long earliest, List<Publication> publications) {
}
