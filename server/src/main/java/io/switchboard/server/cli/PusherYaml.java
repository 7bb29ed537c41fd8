package io.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.config.InvalidConfigException;
import io.switchboard.server.config.PusherApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code pusher:} mapping of the YAML config: {@code apps:}, a list of apps with {@code id},
 * {@code key}, {@code secret} (required) and {@code client-events} (default true), {@code max-connections}
 * (default 0, no limit), and {@code webhooks}: a list of {@code url} and {@code events} (Pusher's names).
 */
final class PusherYaml {

    private static final Set<String> APP_KEYS = Set.of("id", "key", "secret", "client-events", "max-connections", "webhooks");

    private PusherYaml() {
    }

    static List<PusherApp> parse(JsonNode node) {
        List<PusherApp> apps = new ArrayList<>();
        if (node == null || node.isNull()) {
            return apps;
        }
        if (!node.isObject()) {
            throw new ConfigSources.ConfigException("pusher must be a mapping with apps: (a list of apps)");
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!k.equals("apps")) {
                throw new ConfigSources.ConfigException("unknown option '" + Text.escape(k) + "' under pusher; known: [apps]");
            }
        });
        JsonNode list = node.get("apps");
        if (list == null || list.isNull()) {
            return apps;
        }
        if (!list.isArray()) {
            throw new ConfigSources.ConfigException("pusher: apps must be a list of apps (- id: ..., key: ..., secret: ...)");
        }
        int i = 0;
        for (JsonNode a : list) {
            String where = "pusher: apps[" + i++ + "]";
            if (!a.isObject()) {
                throw new ConfigSources.ConfigException(where + " must be a mapping with id, key and secret");
            }
            a.fieldNames().forEachRemaining(k -> {
                if (!APP_KEYS.contains(k)) {
                    throw new ConfigSources.ConfigException(where + ": unknown option '" + Text.escape(k) + "'; known: " + APP_KEYS);
                }
            });
            for (String k : List.of("id", "key", "secret")) {
                if (!a.hasNonNull(k) || a.get(k).isContainerNode()) {
                    throw new ConfigSources.ConfigException(where + " needs " + k);
                }
            }
            if (a.has("client-events") && !a.get("client-events").isBoolean()) {
                throw new ConfigSources.ConfigException(where + ": client-events must be true or false");
            }
            if (a.has("max-connections") && !(a.get("max-connections").isIntegralNumber() && a.get("max-connections").canConvertToInt())) {
                throw new ConfigSources.ConfigException(where + ": max-connections must be a whole number");
            }
            try {
                apps.add(new PusherApp(a.get("id").asText(), a.get("key").asText(), a.get("secret").asText(),
                        !a.has("client-events") || a.get("client-events").asBoolean(),
                        a.has("max-connections") ? a.get("max-connections").asInt() : 0, webhooks(where, a.get("webhooks"))));
            } catch (InvalidConfigException e) {
                throw new ConfigSources.ConfigException(where + ": " + e.reason());
            }
        }
        return apps;
    }

    private static final Set<String> WEBHOOK_KEYS = Set.of("url", "events");

    private static List<PusherApp.Webhook> webhooks(String where, JsonNode list) {
        List<PusherApp.Webhook> hooks = new ArrayList<>();
        if (list == null || list.isNull()) {
            return hooks;
        }
        if (!list.isArray()) {
            throw new ConfigSources.ConfigException(where + ": webhooks must be a list of { url: ..., events: [...] }");
        }
        int i = 0;
        for (JsonNode h : list) {
            String at = where + ".webhooks[" + i++ + "]";
            if (!h.isObject()) {
                throw new ConfigSources.ConfigException(at + " must be a mapping with url and events");
            }
            h.fieldNames().forEachRemaining(k -> {
                if (!WEBHOOK_KEYS.contains(k)) {
                    throw new ConfigSources.ConfigException(at + ": unknown option '" + Text.escape(k) + "'; known: " + WEBHOOK_KEYS);
                }
            });
            JsonNode events = h.get("events");
            if (!h.hasNonNull("url") || !h.get("url").isTextual() || events == null || !events.isArray()) {
                throw new ConfigSources.ConfigException(at + " needs url and events (a list)");
            }
            Set<String> names = new java.util.LinkedHashSet<>();
            for (JsonNode e : events) {
                if (!e.isTextual() || !PusherApp.WEBHOOK_EVENTS.contains(e.textValue())) {
                    throw new ConfigSources.ConfigException(at + ": unknown event '" + Text.escape(e.asText()) + "'; known: "
                            + PusherApp.WEBHOOK_EVENTS);
                }
                names.add(e.textValue());
            }
            hooks.add(new PusherApp.Webhook(h.get("url").textValue(), names));
        }
        return hooks;
    }
}
