package io.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.config.WebhookConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code webhooks:} mapping of the YAML config: {@code endpoints} (a list of {@code name},
 * {@code url}, {@code secret}, {@code events}, {@code namespaces}) and the delivery settings {@code max-age},
 * {@code retry-min}, {@code retry-max}, {@code timeout}, {@code batch-size} and {@code node-ttl}.
 */
final class WebhooksYaml {

    private static final Set<String> KEYS = Set.of("endpoints", "max-age", "retry-min", "retry-max", "timeout", "batch-size",
            "node-ttl");
    private static final Set<String> ENDPOINT_KEYS = Set.of("name", "url", "secret", "events", "namespaces");

    private WebhooksYaml() {
    }

    static WebhookConfig parse(JsonNode node) {
        WebhookConfig d = WebhookConfig.none();
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            throw new ConfigSources.ConfigException("webhooks must be a mapping with endpoints and delivery settings");
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                throw new ConfigSources.ConfigException("unknown option '" + k + "' in webhooks; known: " + KEYS);
            }
        });
        try {
            List<WebhookConfig.Endpoint> endpoints = new ArrayList<>();
            JsonNode list = node.path("endpoints");
            if (!list.isMissingNode() && !list.isArray()) {
                throw new ConfigSources.ConfigException("webhooks.endpoints must be a list");
            }
            Set<String> names = new LinkedHashSet<>();
            for (JsonNode e : list) {
                if (!e.isObject()) {
                    throw new ConfigSources.ConfigException("each of webhooks.endpoints must be a mapping of " + ENDPOINT_KEYS);
                }
                e.fieldNames().forEachRemaining(k -> {
                    if (!ENDPOINT_KEYS.contains(k)) {
                        throw new ConfigSources.ConfigException("unknown option '" + k + "' in a webhooks endpoint; known: " + ENDPOINT_KEYS);
                    }
                });
                String name = e.path("name").asText(null);
                if (name != null && !names.add(name)) {
                    throw new ConfigSources.ConfigException("webhooks endpoint name '" + name + "' is given twice");
                }
                endpoints.add(new WebhookConfig.Endpoint(name, e.path("url").asText(null), e.path("secret").asText(null),
                        strings(e.path("events")), strings(e.path("namespaces"))));
            }
            int batch = node.has("batch-size") ? node.get("batch-size").asInt(-1) : d.batchSize();
            return new WebhookConfig(endpoints, duration(node, "max-age", d.maxAge()), duration(node, "retry-min", d.retryMin()),
                    duration(node, "retry-max", d.retryMax()), duration(node, "timeout", d.timeout()), batch,
                    duration(node, "node-ttl", d.nodeTtl()));
        } catch (IllegalArgumentException | picocli.CommandLine.TypeConversionException ex) {
            throw new ConfigSources.ConfigException(ex.getMessage());
        }
    }

    private static Duration duration(JsonNode node, String key, Duration otherwise) {
        return node.has(key) ? DurationConverter.parse(node.get(key).asText()) : otherwise;
    }

    private static Set<String> strings(JsonNode n) {
        Set<String> out = new LinkedHashSet<>();
        if (n.isTextual()) {
            out.add(n.asText());
        } else {
            n.forEach(x -> out.add(x.asText()));
        }
        return out;
    }
}
