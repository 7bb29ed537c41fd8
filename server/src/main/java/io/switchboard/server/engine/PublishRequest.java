package io.switchboard.server.engine;

/**
 * What a publisher asks the engine to publish.
 *
 * @param idempotencyKey null, or a key that makes a retried publish a no-op (used by engines with history)
 */
public record PublishRequest(String channel, byte[] payload, String from, String idempotencyKey) {
}
