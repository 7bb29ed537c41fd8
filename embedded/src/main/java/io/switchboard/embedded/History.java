package io.switchboard.embedded;

import java.util.List;

/**
 * A read of a channel's history.
 *
 * @param epoch    the stream's epoch
 * @param offset   the offset of the newest publication (0 when there is none)
 * @param messages the publications read, oldest first
 */
public record History(String epoch, long offset, List<Message> messages) {
}
