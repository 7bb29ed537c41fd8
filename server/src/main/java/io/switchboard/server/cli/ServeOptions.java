package io.switchboard.server.cli;

import io.switchboard.server.config.InvalidConfigException;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.config.ProxyConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.config.ServerConfig.DemoTokens;
import io.switchboard.server.config.ServerConfig.MetricsAuth;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The options of {@code serve}, each once: its name (the flag without dashes, also the YAML key and,
 * upper-cased, the environment variable), its topic in {@code --help}, its placeholder, how its text is
 * read, and which {@link ServerConfig} property it reads and sets. Defaults are not written here: they
 * are read from {@code new ServerConfig()}.
 */
final class ServeOptions {

    /** The topics of {@code serve --help}, in order. */
    enum Group {
        NETWORK("Network"), AUTH("Authentication"), LIMITS("Limits"), CHANNELS("Channels"), CLUSTER("Cluster"), PUSHER("Pusher Channels"),
        OBSERVABILITY("Server API, metrics and logs"), CONFIG("Configuration");

        final String heading;

        Group(String heading) {
            this.heading = heading;
        }
    }

    /** How an option's text is read and shown. */
    enum Kind { TEXT, SECRET, URL, INT, LONG, BOOL, DURATION, CHOICE, LIST, SECRET_LIST, URL_LIST, PATH }

    /**
     * One option. {@code set} is null for the options applied together ({@code tls-*} and the cluster
     * ones, see {@link ServeCommand}) or not kept in {@link ServerConfig} ({@code log-format}).
     */
    record Opt(String name, Group group, String label, Kind kind, String help,
               Function<ServerConfig, Object> get, BiFunction<ServerConfig, Object, ServerConfig> set) {

        String flag() {
            return "--" + name;
        }

        String env() {
            return ConfigSources.envName(name);
        }

        boolean secret() {
            return kind == Kind.SECRET || kind == Kind.SECRET_LIST;
        }

        List<String> choices() {
            return Arrays.asList(label.split("\\|"));
        }

        /** A comma-separated list of URLs, split only before a scheme: a Sentinel URL holds commas of its own. */
        static List<String> splitUrls(String t) {
            return Arrays.stream(t.split(",(?=\\s*[A-Za-z][A-Za-z0-9+.-]*://)")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        /** Reads the text of this option (from a flag, the environment or the file) into its value. */
        Object parse(String text) {
            String t = text.trim();
            try {
                return switch (kind) {
                    case INT -> Integer.parseInt(t);
                    case LONG -> Long.parseLong(t);
                    case BOOL -> switch (t.toLowerCase(Locale.ROOT)) {
                        case "true" -> true;
                        case "false" -> false;
                        default -> throw new InvalidConfigException(name, "is not true or false");
                    };
                    case DURATION -> DurationConverter.parse(t);
                    case CHOICE -> {
                        // YAML 1.1 reads an unquoted on/off as a boolean: take it back as the word.
                        if (choices().contains("on") && (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false"))) {
                            yield t.equalsIgnoreCase("true") ? "on" : "off";
                        }
                        if (!choices().contains(t.toLowerCase(Locale.ROOT))) {
                            throw new InvalidConfigException(name, "must be " + String.join(", ", choices()).replaceFirst(", (\\w[\\w-]*)$", " or $1"));
                        }
                        yield t.toLowerCase(Locale.ROOT);
                    }
                    case LIST, SECRET_LIST -> Arrays.stream(t.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                    case URL_LIST -> splitUrls(t);
                    case PATH -> t.isEmpty() ? null : java.nio.file.Path.of(t);
                    default -> text;
                };
            } catch (NumberFormatException e) {
                throw new InvalidConfigException(name, t.matches("-?\\d+") ? "is too large" : "is not a whole number");
            } catch (picocli.CommandLine.TypeConversionException e) {
                throw new InvalidConfigException(name, "is not a duration such as 250ms, 10s, 5m or 1h");
            }
        }

        /** The value as this option's text reads it back; null when unset. */
        String format(Object value) {
            if (value == null || (value instanceof List<?> l && l.isEmpty())) {
                return null;
            }
            if (value instanceof Duration d) {
                return DurationConverter.format(d);
            }
            if (value instanceof Enum<?> e) {
                return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
            }
            if (value instanceof List<?> l) {
                return String.join(",", l.stream().map(String::valueOf).toList());
            }
            return value.toString();
        }
    }

    private static final Map<String, Opt> ALL = new LinkedHashMap<>();

    private static void add(String name, Group g, String label, Kind kind, String help,
                            Function<ServerConfig, Object> get, BiFunction<ServerConfig, Object, ServerConfig> set) {
        ALL.put(name, new Opt(name, g, label, kind, help, get, set));
    }

    static {
        Group n = Group.NETWORK;
        add("bind", n, "<addr>", Kind.TEXT, "Address to listen on.", ServerConfig::bind, (c, v) -> c.bind((String) v));
        add("port", n, "<port>", Kind.INT, "Port to listen on; 0 picks a free one.", ServerConfig::port, (c, v) -> c.port((Integer) v));
        add("tls-cert", n, "<file>", Kind.PATH, "Certificate chain (PEM) for WSS and HTTPS on the same port; reloaded on change or SIGHUP.",
                c -> c.tls().cert(), null);
        add("tls-key", n, "<file>", Kind.PATH, "Private key (PEM, PKCS#8) for --tls-cert.", c -> c.tls().key(), null);
        add("behind-tls-proxy", n, "", Kind.BOOL, "Allow a non-loopback bind without TLS, because a TLS proxy is in front.",
                c -> c.tls().behindProxy(), (c, v) -> c.tls(c.tls().withBehindProxy((Boolean) v)));
        add("trusted-proxies", n, "<cidr>", Kind.LIST, "Peers whose PROXY header or forwarding header names the client's "
                + "address: blocks such as 10.0.0.0/8 or single addresses, comma-separated; none = nobody.",
                c -> c.proxies().trustedText(), (c, v) -> c.proxies(c.proxies().withTrusted(ProxyConfig.parseTrusted(strings(v)))));
        add("proxy-protocol", n, "auto|on|off", Kind.CHOICE, "PROXY protocol v1/v2 from trusted peers: auto = read when sent, "
                + "on = required from them, off = never read. From other peers it is always refused.",
                c -> c.proxies().proxyProtocol(), (c, v) -> c.proxies(c.proxies().withProxyProtocol(
                        ProxyConfig.ProxyProtocol.valueOf(((String) v).toUpperCase(Locale.ROOT)))));
        add("forwarded-header", n, "x-forwarded-for|forwarded|none", Kind.CHOICE, "The header trusted peers write the client's "
                + "address into; the right-most address that is not a trusted proxy is the client's.",
                c -> c.proxies().forwardedHeader(), (c, v) -> c.proxies(c.proxies().withForwardedHeader(
                        ProxyConfig.ForwardedHeader.valueOf(((String) v).toUpperCase(Locale.ROOT).replace('-', '_')))));
        add("compression", n, "off|on", Kind.CHOICE, "permessage-deflate on /ws (not /app): on = accepted when a client "
                + "offers it, with no context kept between messages.",
                c -> c.compression().enabled() ? "on" : "off", (c, v) -> c.compression(c.compression().withEnabled("on".equals(v))));
        add("compression-threshold", n, "<bytes>", Kind.INT, "Outbound messages smaller than this go uncompressed.",
                c -> c.compression().threshold(), (c, v) -> c.compression(c.compression().withThreshold((Integer) v)));
        add("compression-level", n, "<1-9>", Kind.INT, "zlib level of outbound messages: 1 fastest, 9 smallest.",
                c -> c.compression().level(), (c, v) -> c.compression(c.compression().withLevel((Integer) v)));
        add("allowed-origins", n, "<origin>", Kind.LIST, "Browser origins allowed besides the node's own: exact (https://app.example.com), "
                + "wildcard (https://*.example.com) or *; comma-separated. Unset: loopback origins only.",
                ServerConfig::allowedOrigins, (c, v) -> c.allowedOrigins(strings(v)));
        add("handshake-timeout", n, "<duration>", Kind.DURATION, "Time to send a complete HTTP request or upgrade.",
                ServerConfig::handshakeTimeout, (c, v) -> c.handshakeTimeout((Duration) v));
        add("io-threads", n, "<n>", Kind.INT, "Event-loop threads; 0 = one per core.", ServerConfig::ioThreads, (c, v) -> c.ioThreads((Integer) v));
        add("transport", n, "auto|epoll|io_uring|nio", Kind.CHOICE, "The I/O transport: auto = epoll where it loads, NIO "
                + "otherwise; io_uring needs Linux 5.14 or newer and a container that allows it.",
                ServerConfig::transport, (c, v) -> c.transport((String) v));
        add("drain-window", n, "<duration>", Kind.DURATION, "On SIGTERM, sessions are closed with 1001 spread over this time.",
                ServerConfig::drainWindow, (c, v) -> c.drainWindow((Duration) v));
        add("warm-up-sessions", n, "<n>", Kind.INT, "WebSocket sessions run on a throwaway loopback node before the node "
                + "starts, so that its connection path is compiled before clients arrive (with Pusher apps, every other one "
                + "through the Pusher door); 0 = no warm-up.",
                ServerConfig::warmUpSessions, (c, v) -> c.warmUpSessions((Integer) v));

        Group a = Group.AUTH;
        add("jwt-secret", a, "<secret>", Kind.SECRET, "HS256 secret, at least 32 bytes. Unset: a random one per run.",
                ServerConfig::jwtSecret, (c, v) -> c.jwtSecret((String) v));
        add("jwt-public-key", a, "<file>", Kind.LIST, "PEM public key (RSA, EC P-256 or Ed25519) that verifies RS256, ES256 or EdDSA "
                + "tokens; repeatable or comma-separated.", c -> c.jwt().publicKeys(), (c, v) -> c.jwt(c.jwt().withPublicKeys(strings(v))));
        add("jwks-url", a, "<url>", Kind.URL, "JWKS (http or https) whose keys verify RS256, ES256 and EdDSA tokens; fetched in the background.",
                c -> c.jwt().jwksUrl(), (c, v) -> c.jwt(c.jwt().withJwksUrl((String) v)));
        add("jwks-refresh-interval", a, "<duration>", Kind.DURATION, "How often the JWKS is fetched again.",
                c -> c.jwt().jwksRefreshInterval(), (c, v) -> c.jwt(c.jwt().withJwksRefreshInterval((Duration) v)));
        add("jwks-min-refresh-interval", a, "<duration>", Kind.DURATION, "Least time between early JWKS fetches caused by unknown key ids.",
                c -> c.jwt().jwksMinRefreshInterval(), (c, v) -> c.jwt(c.jwt().withJwksMinRefreshInterval((Duration) v)));
        add("jwt-issuer", a, "<iss>", Kind.TEXT, "The iss claim every token must carry. Unset: not checked.",
                c -> c.jwt().issuer(), (c, v) -> c.jwt(c.jwt().withIssuer((String) v)));
        add("jwt-audience", a, "<aud>", Kind.LIST, "Accepted aud values (a token must name one); repeatable or comma-separated. "
                + "Unset: not checked.", c -> c.jwt().audiences(), (c, v) -> c.jwt(c.jwt().withAudiences(strings(v))));
        add("allow-anonymous", a, "", Kind.BOOL, "Accept connections without a token.",
                ServerConfig::allowAnonymous, (c, v) -> c.allowAnonymous((Boolean) v));
        add("demo-tokens", a, "auto|on|off", Kind.CHOICE, "Hand out demo tokens at /demo/token: auto = only when bound to loopback.",
                ServerConfig::demoTokens, (c, v) -> c.demoTokens(DemoTokens.valueOf(((String) v).toUpperCase(Locale.ROOT))));
        add("max-presence-info-bytes", a, "<bytes>", Kind.INT, "Largest info claim a token may carry; over it the connection is refused.",
                ServerConfig::maxPresenceInfoBytes, (c, v) -> c.maxPresenceInfoBytes((Integer) v));

        Group l = Group.LIMITS;
        add("max-frame-bytes", l, "<bytes>", Kind.INT, "Largest accepted frame or message, at least " + ServerConfig.MIN_FRAME_BYTES
                + "; over it: close 1009. A publish payload may use all but 1024 bytes of it.",
                ServerConfig::maxFrameBytes, (c, v) -> c.maxFrameBytes((Integer) v));
        add("max-queued-bytes", l, "<bytes>", Kind.LONG, "Bytes queued for one connection before it is closed as a slow consumer (4001).",
                ServerConfig::maxQueuedBytes, (c, v) -> c.maxQueuedBytes((Long) v));
        add("max-channels", l, "<n>", Kind.INT, "Channels one connection may subscribe to.",
                c -> c.limits().maxChannelsPerConnection(), (c, v) -> c.limits(c.limits().withMaxChannelsPerConnection((Integer) v)));
        add("heartbeat-interval", l, "<duration>", Kind.DURATION, "Time between server pings.",
                ServerConfig::heartbeatInterval, (c, v) -> c.heartbeatInterval((Duration) v));
        add("heartbeat-timeout", l, "<duration>", Kind.DURATION, "Time a client has to answer a ping (then close 4000).",
                ServerConfig::heartbeatTimeout, (c, v) -> c.heartbeatTimeout((Duration) v));
        add("error-burst-limit", l, "<n>", Kind.INT, "Bad commands tolerated per window before close 4002.",
                c -> c.limits().errorBurstLimit(), (c, v) -> c.limits(c.limits().withErrorBurstLimit((Integer) v)));
        add("error-burst-window", l, "<duration>", Kind.DURATION, "The window of --error-burst-limit.",
                c -> c.limits().errorBurstWindow(), (c, v) -> c.limits(c.limits().withErrorBurstWindow((Duration) v)));
        add("commands-per-second", l, "<n>", Kind.INT, "Sustained commands per second per connection; 0 = no limit; over it: "
                + "rate_limited, then close 4003.",
                c -> c.limits().commandsPerSecond(), (c, v) -> c.limits(c.limits().withCommandsPerSecond((Integer) v)));
        add("command-burst", l, "<n>", Kind.INT, "Commands a connection may send at once before the rate applies.",
                c -> c.limits().commandBurst(), (c, v) -> c.limits(c.limits().withCommandBurst((Integer) v)));
        add("max-connections-per-user", l, "<n>", Kind.INT, "Open connections one user may have; 0 = no limit; over it: close 4006.",
                c -> c.limits().maxConnectionsPerUser(), (c, v) -> c.limits(c.limits().withMaxConnectionsPerUser((Integer) v)));
        add("max-connections-per-ip", l, "<n>", Kind.INT, "Open connections one address may have; 0 = no limit; over it: close 4006.",
                c -> c.limits().maxConnectionsPerIp(), (c, v) -> c.limits(c.limits().withMaxConnectionsPerIp((Integer) v)));
        add("new-connections-per-second-per-ip", l, "<n>", Kind.INT, "Sustained WebSocket upgrades per second from one address; "
                + "0 = no limit; over it: HTTP 429.",
                c -> c.limits().newConnectionsPerSecondPerIp(), (c, v) -> c.limits(c.limits().withNewConnectionsPerSecondPerIp((Integer) v)));
        add("new-connections-burst-per-ip", l, "<n>", Kind.INT, "Upgrades one address may make at once before the rate applies.",
                c -> c.limits().newConnectionsBurstPerIp(), (c, v) -> c.limits(c.limits().withNewConnectionsBurstPerIp((Integer) v)));

        Group ch = Group.CHANNELS;
        add("max-recover", ch, "<n>", Kind.INT, "Most messages one subscribe may recover; more answers recovered:false.",
                ServerConfig::maxRecover, (c, v) -> c.maxRecover((Integer) v));
        add("idempotency-window", ch, "<duration>", Kind.DURATION, "How long a publish's idempotencyKey is remembered.",
                ServerConfig::idempotencyWindow, (c, v) -> c.idempotencyWindow((Duration) v));
        add("presence-ttl", ch, "<duration>", Kind.DURATION, "Life of a presence entry its node does not refresh.",
                ServerConfig::presenceTtl, (c, v) -> c.presenceTtl((Duration) v));

        Group cl = Group.CLUSTER;
        add("engine", cl, "memory|redis", Kind.CHOICE, "Where history, presence and idempotency keys live: memory (one node) or redis (a cluster).",
                c -> c.cluster().engine(), null);
        add("redis-url", cl, "<url>", Kind.URL_LIST, "Redis for --engine redis: redis:// or rediss:// servers, "
                + "redis-sentinel://host:port[,host:port...]#primary, or one redis-cluster://host:port[,host:port...]; "
                + "repeatable or comma-separated to shard channels over several.", c -> c.cluster().redisUrls(), null);
        add("broker", cl, "redis|nats", Kind.TEXT, "What carries live messages between nodes. Unset: the engine's own.",
                c -> c.cluster().broker(), null);
        add("nats-url", cl, "<url>", Kind.URL, "NATS server (a nats:// or tls:// URL) for --broker nats.", c -> c.cluster().natsUrl(), null);

        Group pu = Group.PUSHER;
        add("pusher-app", pu, "<id:key:secret>", Kind.SECRET_LIST, "A Pusher Channels app served at /app/{key} and /apps/{id} "
                + "(docs/pusher.md); the secret at least " + PusherApp.MIN_SECRET_LENGTH + " characters; repeatable or comma-separated "
                + "(more options per app under pusher: apps: in YAML). Unset: the Pusher endpoints are off.",
                c -> c.pusherApps().stream().map(app -> app.id() + ":" + app.key() + ":" + app.secret()).toList(),
                (c, v) -> c.pusherApps(strings(v).stream().map(PusherApp::parse).toList()));

        Group o = Group.OBSERVABILITY;
        add("api-key", o, "<key>", Kind.SECRET_LIST, "Key that opens the server API (/api) and the admin page, sent as X-API-Key; at least "
                + ServerConfig.MIN_API_KEY_LENGTH + " characters; repeatable or comma-separated (a list in YAML). Unset: the API is off.",
                ServerConfig::apiKeys, (c, v) -> c.apiKeys(strings(v)));
        add("api-max-body-bytes", o, "<bytes>", Kind.INT, "Largest server-API request body.",
                ServerConfig::apiMaxBodyBytes, (c, v) -> c.apiMaxBodyBytes((Integer) v));
        add("metrics-port", o, "<port>", Kind.INT, "Serve /metrics (without a key) on this separate port only; -1 = on the main port.",
                ServerConfig::metricsPort, (c, v) -> c.metricsPort((Integer) v));
        add("metrics-bind", o, "<addr>", Kind.TEXT, "Address of --metrics-port.", ServerConfig::metricsBind, (c, v) -> c.metricsBind((String) v));
        add("metrics-auth", o, "auto|none|api-key", Kind.CHOICE, "Who may read /metrics on the main port: none = anyone, api-key = API-key "
                + "holders, auto = anyone on a loopback bind, else API-key holders.", ServerConfig::metricsAuth,
                (c, v) -> c.metricsAuth(MetricsAuth.valueOf(((String) v).toUpperCase(Locale.ROOT).replace('-', '_'))));
        add("node-name", o, "<name>", Kind.TEXT, "This node's name in node info, metrics and logs. Unset: random per run.",
                ServerConfig::nodeName, (c, v) -> c.nodeName((String) v));
        add("log-format", o, "text|json", Kind.CHOICE, "Log lines as text or as one JSON object each.", c -> LogFormat.DEFAULT, null);
    }

    private ServeOptions() {
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object v) {
        return (List<String>) v;
    }

    static Iterable<Opt> all() {
        return ALL.values();
    }

    static Opt get(String name) {
        return ALL.get(name);
    }

    /** The option names, and the two that only the command line has ({@code config}, {@code print-config}). */
    static java.util.Set<String> names() {
        return ALL.keySet();
    }
}
