package io.switchboard.server.engine;

/**
 * One connection's presence in a channel.
 *
 * @param clientId the connection's session id
 * @param userId   the user; "" for anonymous
 * @param info     raw JSON from the token's {@code info} claim, or null
 */
public record PresenceEntry(String clientId, String userId, byte[] info) {
}
