package io.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.config.HooksConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code hooks:} mapping of the YAML config: one mapping per hook ({@code connect}, {@code refresh},
 * {@code subscribe}, {@code publish}, {@code rpc}) with {@code url}, {@code timeout}, {@code headers},
 * {@code cookies}, {@code namespaces} and {@code on-failure}; {@code max-answer-bytes}; and {@code rpc-limits}
 * (method name, or {@code "*"}, to {@code per-second} and {@code burst}); and {@code personal-namespace}.
 */
final class HooksYaml {

    private static final Set<String> HOOK_KEYS = Set.of("url", "timeout", "headers", "cookies", "namespaces", "on-failure");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private HooksYaml() {
    }

    static HooksConfig parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return HooksConfig.none();
        }
        if (!node.isObject()) {
            throw new ConfigSources.ConfigException("hooks must be a mapping of hook names to their settings");
        }
        try {
            Map<String, HooksConfig.Hook> hooks = new LinkedHashMap<>();
            int maxAnswer = HooksConfig.DEFAULT_MAX_ANSWER_BYTES;
            Map<String, HooksConfig.RateLimit> limits = Map.of();
            String personal = null;
            for (var it = node.fields(); it.hasNext(); ) {
                var f = it.next();
                String name = f.getKey();
                if (name.equals("max-answer-bytes")) {
                    maxAnswer = f.getValue().asInt(-1);
                    continue;
                }
                if (name.equals("personal-namespace")) {
                    personal = f.getValue().asText(null);
                    continue;
                }
                if (name.equals("rpc-limits")) {
                    limits = rpcLimits(f.getValue());
                    continue;
                }
                if (!HooksConfig.NAMES.contains(name)) {
                    throw new ConfigSources.ConfigException("unknown option '" + name + "' in hooks; known: "
                            + HooksConfig.NAMES + ", max-answer-bytes, rpc-limits and personal-namespace");
                }
                JsonNode h = f.getValue();
                if (!h.isObject()) {
                    throw new ConfigSources.ConfigException("hooks." + name + " must be a mapping of " + HOOK_KEYS);
                }
                h.fieldNames().forEachRemaining(k -> {
                    if (!HOOK_KEYS.contains(k)) {
                        throw new ConfigSources.ConfigException("unknown option '" + k + "' in hooks." + name + "; known: " + HOOK_KEYS);
                    }
                });
                Duration timeout = h.has("timeout") ? DurationConverter.parse(h.get("timeout").asText()) : DEFAULT_TIMEOUT;
                HooksConfig.OnFailure onFailure = h.has("on-failure")
                        ? HooksConfig.OnFailure.parse(h.get("on-failure").asText()) : HooksConfig.OnFailure.REFUSE;
                hooks.put(name, new HooksConfig.Hook(name, h.path("url").asText(null), timeout, strings(h.path("headers")),
                        strings(h.path("cookies")), strings(h.path("namespaces")), onFailure));
            }
            return new HooksConfig(hooks, maxAnswer, limits, personal);
        } catch (IllegalArgumentException | picocli.CommandLine.TypeConversionException ex) {
            throw new ConfigSources.ConfigException(ex.getMessage());
        }
    }

    private static Map<String, HooksConfig.RateLimit> rpcLimits(JsonNode n) {
        if (!n.isObject()) {
            throw new ConfigSources.ConfigException("hooks.rpc-limits must be a mapping of method names to {per-second, burst}");
        }
        Map<String, HooksConfig.RateLimit> out = new LinkedHashMap<>();
        for (var it = n.fields(); it.hasNext(); ) {
            var f = it.next();
            JsonNode v = f.getValue();
            if (!v.isObject() || !v.has("per-second")) {
                throw new ConfigSources.ConfigException("hooks.rpc-limits." + f.getKey() + " must be a mapping with per-second (and burst)");
            }
            v.fieldNames().forEachRemaining(k -> {
                if (!k.equals("per-second") && !k.equals("burst")) {
                    throw new ConfigSources.ConfigException("unknown option '" + k + "' in hooks.rpc-limits." + f.getKey()
                            + "; known: per-second, burst");
                }
            });
            int perSecond = v.get("per-second").asInt(-1);
            out.put(f.getKey(), new HooksConfig.RateLimit(perSecond, v.has("burst") ? v.get("burst").asInt(-1) : perSecond));
        }
        return out;
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
