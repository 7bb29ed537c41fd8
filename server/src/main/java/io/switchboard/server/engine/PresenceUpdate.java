package io.switchboard.server.engine;

/**
 * A user's first connection joined a channel ({@code online}) or its last one left ({@code offline}).
 *
 * @param timestamp when, in ms since the epoch
 * @param users     how many distinct users the channel's presence holds after this change
 * @param order     increases with every change of one channel's presence (the store's clock, finer than
 *                  {@code timestamp}); of two updates that arrive out of order, the higher one's
 *                  {@code users} is the current count. Updates of one store call may share a value.
 */
public record PresenceUpdate(String channel, String userId, boolean online, long timestamp, long users, long order) {
}
