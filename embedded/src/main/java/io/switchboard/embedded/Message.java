package io.switchboard.embedded;

import java.nio.charset.StandardCharsets;

/**
 * One publication read from a channel's history.
 *
 * @param offset    its offset in the stream
 * @param payload   its payload's JSON (UTF-8)
 * @param from      the publishing user, or null for the server side and anonymous clients
 * @param timestamp when the engine accepted it, in milliseconds since the epoch
 */
public record Message(long offset, byte[] payload, String from, long timestamp) {

    /** The payload's JSON as a string. */
    public String payloadJson() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
