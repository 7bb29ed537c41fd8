package io.switchboard.client;

/**
 * A {@code presenceUpdate} push: a user's first connection joined a channel, or its last one left.
 * Immutable.
 *
 * @param channel   the channel
 * @param userId    the user
 * @param online    true for a join, false for a leave
 * @param timestamp when it happened, as the server sent it
 */
public record PresenceEvent(String channel, String userId, boolean online, long timestamp) {
}
