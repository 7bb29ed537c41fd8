package io.switchboard.embedded;

import java.nio.charset.StandardCharsets;

/**
 * A client's {@code rpc} command as an rpc hook sees it.
 *
 * @param userId   the calling connection's user; "" when anonymous
 * @param clientId the calling connection's session id
 * @param method   the procedure's name, as the client sent it (1 to 64 of {@code A-Z a-z 0-9 _ . : -})
 * @param payload  the argument's JSON, or null when the client sent none (do not modify the array)
 */
public record RpcRequest(String userId, String clientId, String method, byte[] payload) {

    /** The argument's JSON as a string, or null. */
    public String payloadJson() {
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }
}
