package io.switchboard.server.engine;

import java.time.Duration;

/**
 * What a publisher asks the engine to publish.
 *
 * @param from              the publisher's user id, or null
 * @param clientId          the publishing connection's session id, or null (server API); lets a namespace
 *                          without echo skip the publisher
 * @param idempotencyKey    null, or a key that makes a retry within {@code idempotencyWindow} a no-op
 *                          answered with the original result
 * @param stream            how to keep the channel's history, or null for a channel without history
 */
public record PublishRequest(String channel, byte[] payload, String from, String clientId, String idempotencyKey,
                             Duration idempotencyWindow, StreamOptions stream) {

    /** The same request, kept in a history stream with {@code options}. */
    public PublishRequest withStream(StreamOptions options) {
        return new PublishRequest(channel, payload, from, clientId, idempotencyKey, idempotencyWindow, options);
    }

    /** A plain publish: no history, no idempotency key. */
    public static PublishRequest live(String channel, byte[] payload, String from) {
        return new PublishRequest(channel, payload, from, null, null, Duration.ZERO, null);
    }
}
