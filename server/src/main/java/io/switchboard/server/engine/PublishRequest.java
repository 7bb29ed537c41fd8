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
 * @param ingressNanos      {@link System#nanoTime()} when the publish entered this node (0: unknown); an
 *                          engine copies it into the {@link Publication} it delivers on this node
 */
public record PublishRequest(String channel, byte[] payload, String from, String clientId, String idempotencyKey,
                             Duration idempotencyWindow, StreamOptions stream, long ingressNanos) {

    public PublishRequest(String channel, byte[] payload, String from, String clientId, String idempotencyKey,
                          Duration idempotencyWindow, StreamOptions stream) {
        this(channel, payload, from, clientId, idempotencyKey, idempotencyWindow, stream, 0L);
    }

    /** The same request, kept in a history stream with {@code options}. */
    public PublishRequest withStream(StreamOptions options) {
        return new PublishRequest(channel, payload, from, clientId, idempotencyKey, idempotencyWindow, options, ingressNanos);
    }

    /** The same request, marked as having entered this node at {@code nanos} ({@link System#nanoTime()}). */
    public PublishRequest withIngress(long nanos) {
        return new PublishRequest(channel, payload, from, clientId, idempotencyKey, idempotencyWindow, stream, nanos);
    }

    /**
     * What an idempotency key is remembered under: the channel, the publisher and the key (keys of different
     * channels or publishers never collide; anonymous publishers share one space); null without a key.
     */
    public String idempotencyIdentity() {
        return idempotencyKey == null ? null : channel + '\0' + (from == null ? "" : from) + '\0' + idempotencyKey;
    }

    /** A plain publish: no history, no idempotency key. */
    public static PublishRequest live(String channel, byte[] payload, String from) {
        return new PublishRequest(channel, payload, from, null, null, Duration.ZERO, null);
    }
}
