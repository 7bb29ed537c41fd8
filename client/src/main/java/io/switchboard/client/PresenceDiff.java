package io.switchboard.client;

import java.util.List;

/**
 * A {@code presenceDiff} push: the users who came online in a channel, and those who went offline, during
 * one of the server's presence windows (a user who came and went within it is in neither). Immutable.
 *
 * @param channel the channel
 * @param joins   users whose first connection joined
 * @param leaves  users whose last connection left
 * @param users   how many users the channel has after these changes
 */
public record PresenceDiff(String channel, List<String> joins, List<String> leaves, long users) {

    public PresenceDiff {
        joins = List.copyOf(joins);
        leaves = List.copyOf(leaves);
    }
}
