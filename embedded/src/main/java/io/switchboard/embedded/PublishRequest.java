package io.switchboard.embedded;

import java.nio.charset.StandardCharsets;

/**
 * A client's publish as a publish hook sees it, after the namespace's access and the size limit passed.
 *
 * @param userId   the publishing connection's user; "" when anonymous
 * @param clientId the publishing connection's session id
 * @param channel  the channel
 * @param payload  the payload's JSON, as the client sent it (do not modify the array)
 */
public record PublishRequest(String userId, String clientId, String channel, byte[] payload) {

    /** The payload's JSON as a string. */
    public String payloadJson() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
