package io.switchboard.embedded;

/**
 * One connection present in a channel.
 *
 * @param clientId the connection's session id
 * @param userId   its user
 * @param info     the JSON its user's {@code info} carries, or null
 */
public record PresenceMember(String clientId, String userId, String info) {
}
