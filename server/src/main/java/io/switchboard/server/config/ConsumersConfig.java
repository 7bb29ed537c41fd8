package io.switchboard.server.config;

/**
 * The producers that are not WebSocket clients (docs/consumers.md): a PostgreSQL outbox and Kafka topics the
 * node reads and publishes from. Each is null when not configured.
 */
public record ConsumersConfig(OutboxConfig outbox, KafkaConfig kafka) {

    public static final ConsumersConfig NONE = new ConsumersConfig(null, null);

    public boolean any() {
        return outbox != null || kafka != null;
    }
}
