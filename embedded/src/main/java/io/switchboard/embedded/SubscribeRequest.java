package io.switchboard.embedded;

/**
 * A client's subscribe as a subscribe hook sees it, after the namespace's own access check passed.
 *
 * @param userId   the connection's user; "" when anonymous
 * @param clientId the connection's session id
 * @param channel  the channel
 */
public record SubscribeRequest(String userId, String clientId, String channel) {
}
