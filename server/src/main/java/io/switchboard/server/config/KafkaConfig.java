package io.switchboard.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Kafka consumer (docs/consumers.md). Checked when built: a value that cannot work throws
 * {@link InvalidConfigException} naming the YAML key under {@code consumers.kafka}.
 *
 * @param bootstrapServers {@code host:port} of one or more brokers
 * @param topics           the topics read
 * @param groupId          the consumer group the nodes share
 * @param channelFrom      where a record names its channel
 * @param deadLetterTopic  where records that cannot be published are written, with the reason in a header
 * @param properties       further consumer properties, passed to the Kafka client as they are
 * @param maxPollRecords   most records one poll returns
 */
public record KafkaConfig(List<String> bootstrapServers, List<String> topics, String groupId, ChannelFrom channelFrom,
                          String deadLetterTopic, Map<String, String> properties, int maxPollRecords) {

    /** Where a record names its channel. */
    public enum ChannelFrom {
        /** The record's key is the channel name; the value is the payload. */
        KEY,
        /** The header {@code channel} holds the channel name; the value is the payload. */
        HEADER,
        /** The value is {@code {"channel": "...", "payload": ...}}. */
        FIELD;

        public static ChannelFrom parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("consumers.kafka.channel-from", "must be key, header or field");
            }
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public KafkaConfig {
        bootstrapServers = bootstrapServers == null ? List.of()
                : bootstrapServers.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (bootstrapServers.isEmpty()) {
            throw new InvalidConfigException("consumers.kafka.bootstrap-servers", "is required (e.g. 127.0.0.1:9092)");
        }
        for (String s : bootstrapServers) {
            if (!s.matches("[^\\s:/]+:\\d{1,5}")) {
                throw new InvalidConfigException("consumers.kafka.bootstrap-servers", "must be host:port entries");
            }
        }
        topics = topics == null ? List.of() : topics.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (topics.isEmpty()) {
            throw new InvalidConfigException("consumers.kafka.topics", "must name at least one topic");
        }
        for (String t : topics) {
            if (!TOPIC.matcher(t).matches()) {
                throw new InvalidConfigException("consumers.kafka.topics", "must be Kafka topic names (letters, digits, '.', '_', '-')");
            }
        }
        groupId = groupId == null || groupId.isBlank() ? "switchboard" : groupId.trim();
        channelFrom = channelFrom == null ? ChannelFrom.KEY : channelFrom;
        deadLetterTopic = deadLetterTopic == null || deadLetterTopic.isBlank() ? "switchboard-dead-letter" : deadLetterTopic.trim();
        if (!TOPIC.matcher(deadLetterTopic).matches()) {
            throw new InvalidConfigException("consumers.kafka.dead-letter-topic", "must be a Kafka topic name");
        }
        if (topics.contains(deadLetterTopic)) {
            throw new InvalidConfigException("consumers.kafka.dead-letter-topic", "must not be one of the topics read");
        }
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        for (String k : List.of("enable.auto.commit", "group.id", "bootstrap.servers", "key.deserializer", "value.deserializer")) {
            if (properties.containsKey(k)) {
                throw new InvalidConfigException("consumers.kafka.properties", "must not set " + k + ": the node sets it");
            }
        }
        if (maxPollRecords < 1 || maxPollRecords > 10_000) {
            throw new InvalidConfigException("consumers.kafka.max-poll-records", "must be 1 to 10000");
        }
    }

    /** The defaults for everything but the servers and topics. */
    public static KafkaConfig of(List<String> bootstrapServers, List<String> topics) {
        return new KafkaConfig(bootstrapServers, topics, null, null, null, null, 500);
    }

    public KafkaConfig withGroup(String groupId) {
        return new KafkaConfig(bootstrapServers, topics, groupId, channelFrom, deadLetterTopic, properties, maxPollRecords);
    }

    public KafkaConfig withChannelFrom(ChannelFrom from) {
        return new KafkaConfig(bootstrapServers, topics, groupId, from, deadLetterTopic, properties, maxPollRecords);
    }

    public KafkaConfig withDeadLetterTopic(String topic) {
        return new KafkaConfig(bootstrapServers, topics, groupId, channelFrom, topic, properties, maxPollRecords);
    }

    public KafkaConfig withProperties(Map<String, String> props, int maxPollRecords) {
        return new KafkaConfig(bootstrapServers, topics, groupId, channelFrom, deadLetterTopic, props, maxPollRecords);
    }

    /** How long the node waits for the brokers before it reports the consumer unreachable. */
    public Duration reachTimeout() {
        return Duration.ofSeconds(5);
    }
}
