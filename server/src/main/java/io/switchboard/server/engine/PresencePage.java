package io.switchboard.server.engine;

import java.util.List;

/**
 * One page of a channel's presence, in the order of the connections' ids.
 *
 * @param entries the connections of this page, ordered by {@code clientId}
 * @param users   distinct users present in the whole channel
 * @param clients connections present in the whole channel
 * @param next    the {@code clientId} to continue after, or null when this was the last page
 */
public record PresencePage(List<PresenceEntry> entries, long users, long clients, String next) {
}
