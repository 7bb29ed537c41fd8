package io.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.config.ConsumersConfig;
import io.switchboard.server.config.InvalidConfigException;
import io.switchboard.server.config.KafkaConfig;
import io.switchboard.server.config.OutboxConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code consumers:} mapping of the YAML config (docs/consumers.md): {@code outbox:} and
 * {@code kafka:}, each a mapping of options. An unknown key, or a value of the wrong kind, is refused with
 * the key's path.
 */
final class ConsumersYaml {

    private static final Set<String> TOP = Set.of("outbox", "kafka");
    private static final Set<String> OUTBOX = Set.of("url", "user", "password", "table", "partitions", "batch-size", "poll-interval");
    private static final Set<String> KAFKA = Set.of("bootstrap-servers", "topics", "group-id", "channel-from", "dead-letter-topic",
            "properties", "max-poll-records");

    private ConsumersYaml() {
    }

    static ConsumersConfig parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return ConsumersConfig.NONE;
        }
        mapping(node, "consumers", TOP);
        try {
            return new ConsumersConfig(outbox(node.get("outbox")), kafka(node.get("kafka")));
        } catch (InvalidConfigException e) {
            throw new ConfigSources.ConfigException(e.key() + " " + e.reason());
        }
    }

    private static OutboxConfig outbox(JsonNode o) {
        if (o == null || o.isNull()) {
            return null;
        }
        mapping(o, "consumers.outbox", OUTBOX);
        OutboxConfig d = OutboxConfig.of("jdbc:postgresql://localhost/x");
        return new OutboxConfig(text(o, "url", "consumers.outbox"), text(o, "user", "consumers.outbox"),
                text(o, "password", "consumers.outbox"), text(o, "table", "consumers.outbox"),
                integer(o, "partitions", "consumers.outbox", d.partitions()), integer(o, "batch-size", "consumers.outbox", d.batchSize()),
                duration(o, "poll-interval", "consumers.outbox", d.pollInterval()));
    }

    private static KafkaConfig kafka(JsonNode k) {
        if (k == null || k.isNull()) {
            return null;
        }
        String at = "consumers.kafka";
        mapping(k, at, KAFKA);
        Map<String, String> props = new LinkedHashMap<>();
        JsonNode p = k.get("properties");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new ConfigSources.ConfigException(at + ".properties must be a mapping of Kafka consumer properties");
            }
            p.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
        }
        String from = text(k, "channel-from", at);
        return new KafkaConfig(list(k, "bootstrap-servers", at), list(k, "topics", at), text(k, "group-id", at),
                from == null ? null : KafkaConfig.ChannelFrom.parse(from), text(k, "dead-letter-topic", at), props,
                integer(k, "max-poll-records", at, 500));
    }

    private static void mapping(JsonNode n, String at, Set<String> keys) {
        if (!n.isObject()) {
            throw new ConfigSources.ConfigException(at + " must be a mapping");
        }
        Iterator<String> it = n.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!keys.contains(k)) {
                String near = Text.nearest(k, keys);
                throw new ConfigSources.ConfigException("unknown key '" + Text.escape(k) + "' in " + at
                        + (near != null ? "; did you mean '" + near + "'?" : "; known: " + keys));
            }
        }
    }

    private static String text(JsonNode n, String key, String at) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isContainerNode()) {
            throw new ConfigSources.ConfigException(at + "." + key + " must be a single value");
        }
        return v.asText();
    }

    private static int integer(JsonNode n, String key, String at, int dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ConfigSources.ConfigException(at + "." + key + " must be a whole number, not '" + Text.escape(v.asText()) + "'");
        }
        return v.asInt();
    }

    private static Duration duration(JsonNode n, String key, String at, Duration dflt) {
        String t = text(n, key, at);
        if (t == null) {
            return dflt;
        }
        try {
            return DurationConverter.parse(t);
        } catch (RuntimeException e) {
            throw new ConfigSources.ConfigException(at + "." + key + " is not a duration such as 250ms, 10s, 5m or 1h");
        }
    }

    private static List<String> list(JsonNode n, String key, String at) {
        JsonNode v = n.get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isArray()) {
            for (JsonNode item : v) {
                if (item.isContainerNode()) {
                    throw new ConfigSources.ConfigException(at + "." + key + " must be a list of values");
                }
                out.add(item.asText());
            }
        } else if (v.isContainerNode()) {
            throw new ConfigSources.ConfigException(at + "." + key + " must be a value or a list of values");
        } else {
            out.addAll(List.of(v.asText().split(",")));
        }
        return out;
    }
}
