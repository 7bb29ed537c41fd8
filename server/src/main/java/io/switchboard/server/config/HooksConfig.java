package io.switchboard.server.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The decisions the node asks the application's backend for over HTTP (hooks in): the {@code hooks:} section
 * of the YAML file. Each hook is optional; a node without any asks nothing and runs as before.
 *
 * @param hooks            by name ({@link #NAMES}): where and how to ask
 * @param maxAnswerBytes   the largest answer body the node reads; a longer one is a failed call
 * @param rpcLimits        per rpc method name, the rate each connection may call it at; {@code "*"} is one
 *                         shared rate for every method not named; a method under neither is not limited
 *                         (beyond the connection's command rate)
 * @param personalNamespace the namespace of users' personal channels ({@code <ns>:#<userId>}), which every
 *                         connection of a user is subscribed to by the server; null: none
 */
public record HooksConfig(Map<String, Hook> hooks, int maxAnswerBytes, Map<String, RateLimit> rpcLimits,
                          String personalNamespace) {

    /** The hooks there are. */
    public static final List<String> NAMES = List.of("connect", "refresh", "subscribe", "publish", "rpc");

    public static final int DEFAULT_MAX_ANSWER_BYTES = 64 * 1024;

    public HooksConfig {
        for (String name : hooks.keySet()) {
            if (!NAMES.contains(name)) {
                throw new InvalidConfigException("hooks", "has no hook '" + name + "'; known: " + NAMES);
            }
        }
        hooks = Map.copyOf(new LinkedHashMap<>(hooks));
        rpcLimits = Map.copyOf(rpcLimits);
        for (String m : rpcLimits.keySet()) {
            if (!m.equals("*") && io.switchboard.protocol.Commands.rpcMethodProblem(m) != null) {
                throw new InvalidConfigException("hooks.rpc-limits", "names '" + m + "', which is not a valid method name");
            }
        }
        if (personalNamespace != null && (personalNamespace.isEmpty()
                || io.switchboard.protocol.ChannelNames.problem(personalNamespace + ":x") != null || personalNamespace.contains("#"))) {
            throw new InvalidConfigException("hooks.personal-namespace", "must be a namespace name, not '" + personalNamespace + "'");
        }
        if (maxAnswerBytes < 64) {
            throw new InvalidConfigException("hooks.max-answer-bytes", "must be at least 64");
        }
    }

    public static HooksConfig none() {
        return new HooksConfig(Map.of(), DEFAULT_MAX_ANSWER_BYTES, Map.of(), null);
    }

    public HooksConfig(Map<String, Hook> hooks, int maxAnswerBytes) {
        this(hooks, maxAnswerBytes, Map.of(), null);
    }

    public HooksConfig(Map<String, Hook> hooks, int maxAnswerBytes, Map<String, RateLimit> rpcLimits) {
        this(hooks, maxAnswerBytes, rpcLimits, null);
    }

    /** The same, with users' personal channels in namespace {@code ns} (null: none). */
    public HooksConfig withPersonalNamespace(String ns) {
        return new HooksConfig(hooks, maxAnswerBytes, rpcLimits, ns);
    }

    /** A rate: {@code perSecond} calls a second on average, {@code burst} at once. */
    public record RateLimit(int perSecond, int burst) {
        public RateLimit {
            if (perSecond < 1 || burst < 1) {
                throw new InvalidConfigException("hooks.rpc-limits", "per-second and burst must be at least 1");
            }
        }
    }

    public boolean any() {
        return !hooks.isEmpty();
    }

    /** The hook of that name, or null when it is not configured. */
    public Hook hook(String name) {
        return hooks.get(name);
    }

    /** What happens when the backend cannot be asked (down, too slow, a bad answer). */
    public enum OnFailure {
        /** Refuse with {@code unavailable}, which a client retries (the default). */
        REFUSE,
        /** Go on as if there were no hook: admit as the token says, allow the subscribe or publish unchanged. */
        ALLOW;

        public static OnFailure parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "refuse" -> REFUSE;
                case "allow" -> ALLOW;
                default -> throw new InvalidConfigException("hooks", "on-failure must be refuse or allow, not '" + s + "'");
            };
        }
    }

    /**
     * One hook.
     *
     * @param name       which hook ({@link #NAMES})
     * @param url        an {@code http://} or {@code https://} URL that gets a POST per decision
     * @param timeout    one call's limit, connecting and answering included
     * @param headers    the handshake's request headers passed on to the backend (lower case; e.g. authorization)
     * @param cookies    the handshake's cookies passed on (by name), in one {@code Cookie} header
     * @param namespaces for subscribe and publish: the namespaces asked about; empty: all
     * @param onFailure  what a failed call means ({@link OnFailure}); rpc and refresh always refuse
     */
    public record Hook(String name, String url, Duration timeout, Set<String> headers, Set<String> cookies,
                       Set<String> namespaces, OnFailure onFailure) {
        public Hook {
            String where = "hooks." + name;
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new InvalidConfigException(where, "url must start with http:// or https://");
            }
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new InvalidConfigException(where, "timeout must be positive");
            }
            headers = Set.copyOf(headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
            for (String h : headers) {
                if (!h.matches("[a-z0-9!#$%&'*+.^_`|~-]+") || h.equals("host") || h.equals("content-length")
                        || h.equals("connection") || h.equals("upgrade") || h.equals("cookie") || h.equals("expect")
                        || h.equals("content-type") || h.equals("user-agent")) {
                    throw new InvalidConfigException(where, "cannot pass on the header '" + h + "' (use cookies: for cookies)");
                }
            }
            cookies = Set.copyOf(cookies);
            namespaces = Set.copyOf(namespaces);
            if (!namespaces.isEmpty() && !name.equals("subscribe") && !name.equals("publish")) {
                throw new InvalidConfigException(where, "namespaces apply to the subscribe and publish hooks only");
            }
            if (onFailure == OnFailure.ALLOW && (name.equals("rpc") || name.equals("refresh"))) {
                throw new InvalidConfigException(where, "on-failure: allow has no meaning for " + name + "; it always refuses");
            }
        }

        /** Whether this hook is asked about a channel of namespace {@code ns}. */
        public boolean covers(String ns) {
            return namespaces.isEmpty() || namespaces.contains(ns);
        }
    }
}
