package io.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.config.Access;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code namespaces:} mapping of the YAML config. Each key is a namespace name ({@code ""} is
 * the default namespace); each value sets some of: {@code history-size}, {@code history-ttl},
 * {@code stream-ttl}, {@code presence}, {@code join-leave}, {@code subscribe}, {@code publish},
 * {@code history-access}, {@code presence-access}, {@code echo}, {@code presence-window},
 * {@code presence-counts-above}. Unset keys keep the shipped values of
 * that namespace (or of a plain namespace, for a new one), except that history and presence access
 * follow {@code subscribe} when it is set and they are not.
 */
final class NamespacesYaml {

    private static final Set<String> KEYS = Set.of("history-size", "history-ttl", "stream-ttl", "presence", "join-leave",
            "subscribe", "publish", "history-access", "presence-access", "echo", "presence-window", "presence-counts-above");

    private NamespacesYaml() {
    }

    static Namespaces parse(JsonNode node) {
        Namespaces.Builder b = Namespaces.builder();
        if (node == null || node.isNull()) {
            return b.build();
        }
        if (!node.isObject()) {
            throw new ConfigSources.ConfigException("namespaces must be a mapping of namespace names to options");
        }
        Namespaces shipped = Namespaces.defaults();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (!name.isEmpty() && !name.matches("[A-Za-z0-9_\\-=@.#,/]+")) {
                throw new ConfigSources.ConfigException("namespace name '" + name + "' has characters a channel name cannot have");
            }
            NamespaceConfig ns = shipped.get(name) != null ? shipped.get(name) : NamespaceConfig.plain(name);
            JsonNode o = e.getValue();
            if (o == null || o.isNull()) {
                b.put(ns);
                continue;
            }
            if (!o.isObject()) {
                throw new ConfigSources.ConfigException("namespace '" + name + "' must be a mapping of options");
            }
            o.fieldNames().forEachRemaining(k -> {
                if (!KEYS.contains(k)) {
                    throw new ConfigSources.ConfigException("unknown option '" + k + "' in namespace '" + name + "'; known: " + KEYS);
                }
            });
            for (String k : List.of("history-size", "presence-counts-above")) {
                if (o.has(k) && !(o.get(k).isIntegralNumber() && o.get(k).canConvertToInt())) {
                    throw new ConfigSources.ConfigException("namespace '" + name + "': " + k + " must be a whole number, not '" + o.get(k).asText() + "'");
                }
            }
            for (String k : List.of("presence", "join-leave", "echo")) {
                if (o.has(k) && !o.get(k).isBoolean()) {
                    throw new ConfigSources.ConfigException("namespace '" + name + "': " + k + " must be true or false, not '" + o.get(k).asText() + "'");
                }
            }
            try {
                int size = o.has("history-size") ? o.get("history-size").asInt() : ns.historySize();
                Duration ttl = o.has("history-ttl") ? DurationConverter.parse(o.get("history-ttl").asText()) : ns.historyTtl();
                ns = ns.withHistory(size, ttl);
                if (o.has("stream-ttl")) {
                    ns = ns.withStreamTtl(DurationConverter.parse(o.get("stream-ttl").asText()));
                }
                boolean presence = o.has("presence") ? o.get("presence").asBoolean() : ns.presence();
                boolean joinLeave = o.has("join-leave") ? o.get("join-leave").asBoolean() : ns.joinLeave() && presence;
                ns = ns.withPresence(presence, joinLeave && presence);
                // Reading history and presence follows the subscribe level unless set on its own: whoever
                // may not follow a channel should not read it by other means.
                Access subscribe = access(o, "subscribe", ns.subscribe());
                Access readDefault = o.has("subscribe") ? subscribe : null;
                ns = ns.withAccess(subscribe, access(o, "publish", ns.publish()),
                        access(o, "history-access", readDefault != null ? readDefault : ns.historyAccess()),
                        access(o, "presence-access", readDefault != null ? readDefault : ns.presenceAccess()));
                if (o.has("echo")) {
                    ns = ns.withEcho(o.get("echo").asBoolean());
                }
                Duration window = o.has("presence-window") ? DurationConverter.parse(o.get("presence-window").asText()) : ns.presenceWindow();
                if (window.compareTo(Duration.ofSeconds(10)) > 0) {
                    throw new IllegalArgumentException("presence-window must be at most 10s");
                }
                ns = ns.withPresenceWindow(window,
                        o.has("presence-counts-above") ? o.get("presence-counts-above").asInt() : ns.presenceCountsAbove());
            } catch (IllegalArgumentException | picocli.CommandLine.TypeConversionException ex) {
                throw new ConfigSources.ConfigException("namespace '" + name + "': " + ex.getMessage());
            }
            if (ns.historySize() < 0) {
                throw new ConfigSources.ConfigException("namespace '" + name + "': history-size must be 0 or more");
            }
            b.put(ns);
        }
        return b.build();
    }

    private static Access access(JsonNode o, String key, Access current) {
        return o.has(key) ? Access.parse(o.get(key).asText()) : current;
    }

    /** One line per namespace, for --print-config. */
    static String describe(NamespaceConfig ns) {
        return "  \"" + ns.name() + "\": {history-size: " + ns.historySize() + ", history-ttl: " + DurationConverter.format(ns.historyTtl())
                + ", stream-ttl: " + DurationConverter.format(ns.streamTtl()) + ", presence: " + ns.presence()
                + ", join-leave: " + ns.joinLeave() + ", subscribe: " + ns.subscribe().wireName()
                + ", publish: " + ns.publish().wireName() + ", history-access: " + ns.historyAccess().wireName()
                + ", presence-access: " + ns.presenceAccess().wireName() + ", echo: " + ns.echo()
                + ", presence-window: " + DurationConverter.format(ns.presenceWindow())
                + ", presence-counts-above: " + ns.presenceCountsAbove() + "}";
    }
}
