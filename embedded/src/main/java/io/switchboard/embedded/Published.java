package io.switchboard.embedded;

/**
 * Where a publication landed in its channel's stream.
 *
 * @param offset its offset, or -1 when the channel keeps no history
 * @param epoch  the stream's epoch, or null when the channel keeps no history
 */
public record Published(long offset, String epoch) {
}
