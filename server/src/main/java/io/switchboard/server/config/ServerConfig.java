package io.switchboard.server.config;

import static io.switchboard.server.config.Checks.atLeast;
import static io.switchboard.server.config.Checks.list;
import static io.switchboard.server.config.Checks.notBlank;
import static io.switchboard.server.config.Checks.notNegative;
import static io.switchboard.server.config.Checks.orNull;
import static io.switchboard.server.config.Checks.portNumber;
import static io.switchboard.server.config.Checks.positive;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The settings of one node, and where their defaults come from: {@code new ServerConfig()} holds the
 * documented defaults (written here, or in an option group's record), which the command line shows in
 * {@code serve --help} and {@code --print-config}.
 *
 * <p>Instances never change. Each setter-style method ({@code port(int)}) checks its value and returns a
 * new instance; a value out of range throws {@link InvalidConfigException} naming the option. Cohesive groups
 * of options are immutable records of their own, checked the same way when built and set whole
 * ({@link TlsConfig}, {@link JwtConfig}, {@link LimitsConfig}, {@link ProxyConfig}, {@link CompressionConfig},
 * {@link ClusterConfig}, ...). Checks that involve several options at once (a public bind needs TLS, ...)
 * are in {@link #checkCombinations()}.
 */
public final class ServerConfig implements Cloneable {

    /** Whether the node hands out demo tokens at {@code /demo/token}. */
    public enum DemoTokens { AUTO, ON, OFF }

    /** Who may read {@code /metrics} on the main port. AUTO: anyone on a loopback bind, else API-key holders. */
    public enum MetricsAuth { AUTO, NONE, API_KEY }

    /**
     * The smallest {@code max-frame-bytes}: every push must fit in a frame, and a publish keeps 1024 bytes
     * of a frame for the envelope around its payload, so this leaves payloads of at least 1024 bytes.
     */
    public static final int MIN_FRAME_BYTES = 2048;
    /** The shortest HS256 secret, in UTF-8 bytes. */
    public static final int MIN_SECRET_BYTES = 32;
    /** Sessions {@code serve} runs on a throwaway node before it starts (see {@link #warmUpSessions()}). */
    public static final int DEFAULT_WARM_UP_SESSIONS = 3000;
    /** The longest the warm-up may take; then the node starts without the rest of it. */
    public static final Duration WARM_UP_BUDGET = Duration.ofSeconds(15);
    /** The shortest server-API key. */
    public static final int MIN_API_KEY_LENGTH = 16;

    private String bind = "127.0.0.1";
    private int port = 8080;
    private String jwtSecret;
    private boolean allowAnonymous;
    private DemoTokens demoTokens = DemoTokens.AUTO;
    private int maxFrameBytes = 64 * 1024;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration heartbeatInterval = Duration.ofSeconds(25);
    private Duration heartbeatTimeout = Duration.ofSeconds(10);
    private long maxQueuedBytes = 1024 * 1024;
    private LimitsConfig limits = LimitsConfig.DEFAULT;
    private Duration drainWindow = Duration.ofSeconds(10);
    private int warmUpSessions = DEFAULT_WARM_UP_SESSIONS;
    private int ioThreads;
    private String transport = "auto";
    private Namespaces namespaces = Namespaces.defaults(); // the configured ones plus one per Pusher app
    private Namespaces configuredNamespaces = Namespaces.defaults();
    private List<PusherApp> pusherApps = List.of();
    private WebhookConfig webhooks = WebhookConfig.none();
    private HooksConfig hooks = HooksConfig.none();
    private Duration idempotencyWindow = Duration.ofMinutes(5);
    private int maxRecover = 1000;
    private Duration presenceTtl = Duration.ofSeconds(60);
    private List<String> allowedOrigins = List.of();
    private TlsConfig tls = TlsConfig.NONE;
    private ProxyConfig proxies = ProxyConfig.DEFAULT;
    private CompressionConfig compression = CompressionConfig.DEFAULT;
    private int maxPresenceInfoBytes = 1024;
    private JwtConfig jwt = JwtConfig.DEFAULT;
    // Operations: the server API, metrics and the node's name (docs/api.md, docs/operations.md).
    private List<String> apiKeys = List.of();
    private int apiMaxBodyBytes = 1024 * 1024;
    private int metricsPort = -1;
    private String metricsBind = "127.0.0.1";
    private MetricsAuth metricsAuth = MetricsAuth.AUTO;
    private String nodeName;
    private ClusterConfig cluster = ClusterConfig.MEMORY;
    private ConsumersConfig consumers = ConsumersConfig.NONE;

    /** The defaults. */
    public ServerConfig() {
    }

    /** A copy with one change applied; the only way a field is ever written after construction. */
    private ServerConfig with(Consumer<ServerConfig> change) {
        ServerConfig copy;
        try {
            copy = (ServerConfig) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
        change.accept(copy);
        return copy;
    }

    /**
     * Checks the rules that involve several options; returns this configuration when they hold. A
     * non-loopback bind needs TLS or {@code behind-tls-proxy}, the metrics port must differ from the main
     * port, and one message must fit in a connection's queue.
     */
    public ServerConfig checkCombinations() {
        if (!tls.enabled() && !tls.behindProxy() && !isLoopbackBind()) {
            throw new InvalidConfigException("bind", "without TLS exposes tokens and messages: give --tls-cert and "
                    + "--tls-key, or --behind-tls-proxy if a TLS proxy is in front");
        }
        if (metricsPort > 0 && metricsPort == port) {
            throw new InvalidConfigException("metrics-port", "must differ from --port");
        }
        if (maxQueuedBytes < maxFrameBytes) {
            throw new InvalidConfigException("max-queued-bytes", "must be at least --max-frame-bytes (" + maxFrameBytes
                    + "): one message must fit in a connection's queue");
        }
        return this;
    }

    // ---- network ----

    public String bind() { return bind; }

    public ServerConfig bind(String bind) {
        notBlank("bind", bind);
        return with(c -> c.bind = bind.trim());
    }

    public int port() { return port; }

    /** The port to listen on; 0 picks a free one. */
    public ServerConfig port(int port) {
        return with(c -> c.port = portNumber("port", 0, port));
    }

    public boolean isLoopbackBind() {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** TLS on the node's port from PEM files, or a TLS proxy in front; neither by default. */
    public TlsConfig tls() { return tls; }

    public ServerConfig tls(TlsConfig tls) {
        Objects.requireNonNull(tls, "tls");
        return with(c -> c.tls = tls);
    }

    /** permessage-deflate on {@code /ws}: whether it is negotiated, from which size, at which level. */
    public CompressionConfig compression() { return compression; }

    public ServerConfig compression(CompressionConfig compression) {
        Objects.requireNonNull(compression, "compression");
        return with(c -> c.compression = compression);
    }

    /** The trusted proxies, and how they name a client's address. */
    public ProxyConfig proxies() { return proxies; }

    public ServerConfig proxies(ProxyConfig proxies) {
        Objects.requireNonNull(proxies, "proxies");
        return with(c -> c.proxies = proxies);
    }

    /**
     * Origins browsers may open WebSockets from, besides the node's own (same host and port). Entries are
     * exact origins ({@code https://app.example.com}), wildcard hosts ({@code https://*.example.com}) or
     * {@code *} for any. Empty: loopback origins only.
     */
    public List<String> allowedOrigins() { return allowedOrigins; }

    public ServerConfig allowedOrigins(List<String> allowedOrigins) {
        List<String> checked = list(allowedOrigins);
        return with(c -> c.allowedOrigins = checked);
    }

    /** Time a client has to send a complete HTTP request or upgrade. */
    public Duration handshakeTimeout() { return handshakeTimeout; }

    public ServerConfig handshakeTimeout(Duration handshakeTimeout) {
        return with(c -> c.handshakeTimeout = positive("handshake-timeout", handshakeTimeout));
    }

    /** Event-loop threads; 0 means one per core. */
    public int ioThreads() { return ioThreads; }

    public ServerConfig ioThreads(int ioThreads) {
        return with(c -> c.ioThreads = atLeast("io-threads", 0, ioThreads));
    }

    /** The I/O transport: auto (epoll where it loads, else NIO), epoll, io_uring or nio. */
    public String transport() { return transport; }

    public ServerConfig transport(String transport) {
        if (!java.util.List.of("auto", "epoll", "io_uring", "nio").contains(transport)) {
            throw new InvalidConfigException("transport", "must be auto, epoll, io_uring or nio");
        }
        return with(c -> c.transport = transport);
    }

    /** Sessions are closed with 1001 spread over this time on SIGTERM; 0 closes them at once. */
    public Duration drainWindow() { return drainWindow; }

    public ServerConfig drainWindow(Duration drainWindow) {
        return with(c -> c.drainWindow = notNegative("drain-window", drainWindow));
    }

    /**
     * WebSocket sessions {@code serve} opens on a throwaway loopback node before it starts this one, so that
     * the JIT has compiled the connection path before the first client arrives; 0 turns the warm-up off.
     */
    public int warmUpSessions() { return warmUpSessions; }

    public ServerConfig warmUpSessions(int warmUpSessions) {
        return with(c -> c.warmUpSessions = atLeast("warm-up-sessions", 0, warmUpSessions));
    }

    // ---- authentication ----

    /** The HS256 secret, or null to generate a random one for this run. */
    public String jwtSecret() { return jwtSecret; }

    /** At least {@value #MIN_SECRET_BYTES} UTF-8 bytes; null or empty: a random secret per run. */
    public ServerConfig jwtSecret(String jwtSecret) {
        String secret = orNull(jwtSecret);
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new InvalidConfigException("jwt-secret", "must be at least " + MIN_SECRET_BYTES + " bytes for HS256");
        }
        return with(c -> c.jwtSecret = secret);
    }

    public boolean allowAnonymous() { return allowAnonymous; }

    public ServerConfig allowAnonymous(boolean allowAnonymous) {
        return with(c -> c.allowAnonymous = allowAnonymous);
    }

    public DemoTokens demoTokens() { return demoTokens; }

    public ServerConfig demoTokens(DemoTokens demoTokens) {
        Objects.requireNonNull(demoTokens, "demoTokens");
        return with(c -> c.demoTokens = demoTokens);
    }

    /** True when {@code /demo/token} mints tokens: ON, or AUTO on a loopback bind address. */
    public boolean demoTokensEnabled() { return demoTokens == DemoTokens.ON || (demoTokens == DemoTokens.AUTO && isLoopbackBind()); }

    /** Token verification beyond the HS256 secret: public keys, a JWKS, the iss and aud checks. */
    public JwtConfig jwt() { return jwt; }

    public ServerConfig jwt(JwtConfig jwt) {
        Objects.requireNonNull(jwt, "jwt");
        return with(c -> c.jwt = jwt);
    }

    /** Largest {@code info} claim a token may carry (it is copied into every presence entry). */
    public int maxPresenceInfoBytes() { return maxPresenceInfoBytes; }

    public ServerConfig maxPresenceInfoBytes(int n) {
        return with(c -> c.maxPresenceInfoBytes = atLeast("max-presence-info-bytes", 0, n));
    }

    // ---- sizes, heartbeat and limits ----

    /** Largest frame or reassembled message; also bounds pushes, history and presence answers. */
    public int maxFrameBytes() { return maxFrameBytes; }

    public ServerConfig maxFrameBytes(int maxFrameBytes) {
        return with(c -> c.maxFrameBytes = atLeast("max-frame-bytes", MIN_FRAME_BYTES, maxFrameBytes));
    }

    /** Bytes queued for one connection before it is closed as a slow consumer. */
    public long maxQueuedBytes() { return maxQueuedBytes; }

    public ServerConfig maxQueuedBytes(long maxQueuedBytes) {
        if (maxQueuedBytes < 1) {
            throw new InvalidConfigException("max-queued-bytes", "must be at least 1");
        }
        return with(c -> c.maxQueuedBytes = maxQueuedBytes);
    }

    public Duration heartbeatInterval() { return heartbeatInterval; }

    public ServerConfig heartbeatInterval(Duration heartbeatInterval) {
        return with(c -> c.heartbeatInterval = positive("heartbeat-interval", heartbeatInterval));
    }

    public Duration heartbeatTimeout() { return heartbeatTimeout; }

    public ServerConfig heartbeatTimeout(Duration heartbeatTimeout) {
        return with(c -> c.heartbeatTimeout = positive("heartbeat-timeout", heartbeatTimeout));
    }

    /** Channels per connection, the command rate, bad-command bursts, and connections per user and address. */
    public LimitsConfig limits() { return limits; }

    public ServerConfig limits(LimitsConfig limits) {
        Objects.requireNonNull(limits, "limits");
        return with(c -> c.limits = limits);
    }

    // ---- channels ----

    /** Every namespace of the node: the configured ones and one per Pusher app. */
    public Namespaces namespaces() { return namespaces; }

    /** The namespaces as configured, without the Pusher apps' (what --print-config writes). */
    public Namespaces configuredNamespaces() { return configuredNamespaces; }

    /**
     * The configured namespaces; the node's {@link #namespaces()} add one per Pusher app. No configured
     * namespace may start with {@value PusherApp#NAMESPACE_PREFIX}: those belong to the apps.
     */
    public ServerConfig namespaces(Namespaces namespaces) {
        Objects.requireNonNull(namespaces, "namespaces");
        for (NamespaceConfig ns : namespaces.all()) {
            if (ns.name().startsWith(PusherApp.NAMESPACE_PREFIX)) {
                throw new InvalidConfigException("namespaces", "namespace '" + ns.name() + "' starts with '"
                        + PusherApp.NAMESPACE_PREFIX + "', which is reserved for Pusher apps");
            }
        }
        return with(c -> {
            c.configuredNamespaces = namespaces;
            c.namespaces = namespaces.plus(c.pusherApps.stream().flatMap(a -> a.namespaceConfigs().stream()).toList());
        });
    }

    // ---- Pusher apps ----

    /** The Pusher Channels apps of the Pusher front door (docs/pusher.md); empty: the front door is off. */
    public List<PusherApp> pusherApps() { return pusherApps; }

    /** Ids and keys must be unique. */
    public ServerConfig pusherApps(List<PusherApp> apps) {
        List<PusherApp> checked = List.copyOf(apps);
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (PusherApp a : checked) {
            if (!ids.add(a.id())) {
                throw new InvalidConfigException("pusher-app", "app id " + a.id() + " is given twice");
            }
            if (!keys.add(a.key())) {
                throw new InvalidConfigException("pusher-app", "app key " + a.key() + " is given twice");
            }
        }
        return with(c -> {
            c.pusherApps = checked;
            c.namespaces = c.configuredNamespaces.plus(checked.stream().flatMap(a -> a.namespaceConfigs().stream()).toList());
        });
    }

    /** The backend's event endpoints (webhooks); none by default. */
    public WebhookConfig webhooks() { return webhooks; }

    public ServerConfig webhooks(WebhookConfig webhooks) {
        Objects.requireNonNull(webhooks, "webhooks");
        return with(c -> c.webhooks = webhooks);
    }

    /** The decisions asked of the backend over HTTP (hooks in); none by default. */
    public HooksConfig hooks() { return hooks; }

    public ServerConfig hooks(HooksConfig hooks) {
        Objects.requireNonNull(hooks, "hooks");
        return with(c -> c.hooks = hooks);
    }

    /** How long an idempotency key is remembered. */
    public Duration idempotencyWindow() { return idempotencyWindow; }

    public ServerConfig idempotencyWindow(Duration idempotencyWindow) {
        return with(c -> c.idempotencyWindow = positive("idempotency-window", idempotencyWindow));
    }

    /** Most messages one subscribe may recover; a larger gap answers {@code recovered: false}. */
    public int maxRecover() { return maxRecover; }

    public ServerConfig maxRecover(int maxRecover) {
        return with(c -> c.maxRecover = atLeast("max-recover", 0, maxRecover));
    }

    /** How long a presence entry lives unless its node refreshes it. */
    public Duration presenceTtl() { return presenceTtl; }

    public ServerConfig presenceTtl(Duration presenceTtl) {
        return with(c -> c.presenceTtl = positive("presence-ttl", presenceTtl));
    }

    // ---- server API, metrics, node name ----

    /** Keys accepted in {@code X-API-Key} (or {@code Authorization: Bearer}) by the server API; empty: API off. */
    public List<String> apiKeys() { return apiKeys; }

    /** Each at least {@value #MIN_API_KEY_LENGTH} characters; blank entries are dropped. */
    public ServerConfig apiKeys(List<String> apiKeys) {
        List<String> checked = list(apiKeys);
        for (String k : checked) {
            if (k.length() < MIN_API_KEY_LENGTH) {
                throw new InvalidConfigException("api-key", "must be at least " + MIN_API_KEY_LENGTH
                        + " characters (it guards publishing and disconnecting)");
            }
        }
        return with(c -> c.apiKeys = checked);
    }

    /** Largest request body the server API accepts. */
    public int apiMaxBodyBytes() { return apiMaxBodyBytes; }

    public ServerConfig apiMaxBodyBytes(int n) {
        return with(c -> c.apiMaxBodyBytes = atLeast("api-max-body-bytes", 1024, n));
    }

    /** A separate port serving only {@code /metrics} (no key), or -1 to serve it on the main port. */
    public int metricsPort() { return metricsPort; }

    public ServerConfig metricsPort(int metricsPort) {
        return with(c -> c.metricsPort = portNumber("metrics-port", -1, metricsPort));
    }

    /** The address of the separate metrics port. */
    public String metricsBind() { return metricsBind; }

    public ServerConfig metricsBind(String metricsBind) {
        notBlank("metrics-bind", metricsBind);
        return with(c -> c.metricsBind = metricsBind.trim());
    }

    public MetricsAuth metricsAuth() { return metricsAuth; }

    public ServerConfig metricsAuth(MetricsAuth metricsAuth) {
        Objects.requireNonNull(metricsAuth, "metricsAuth");
        return with(c -> c.metricsAuth = metricsAuth);
    }

    /** True when {@code /metrics} on the main port needs an API key. */
    public boolean metricsNeedKey() { return metricsAuth == MetricsAuth.API_KEY || (metricsAuth == MetricsAuth.AUTO && !isLoopbackBind()); }

    /** This node's name in node info and logs, or null for a random one per run. */
    public String nodeName() { return nodeName; }

    public ServerConfig nodeName(String nodeName) {
        return with(c -> c.nodeName = orNull(nodeName));
    }

    // ---- cluster ----

    /** The engine and broker: memory for one node, Redis (and NATS) for a cluster. */
    public ClusterConfig cluster() { return cluster; }

    public ServerConfig cluster(ClusterConfig cluster) {
        Objects.requireNonNull(cluster, "cluster");
        return with(c -> c.cluster = cluster);
    }

    // ---- consumers ----

    /** The PostgreSQL outbox and Kafka consumers (docs/consumers.md); {@link ConsumersConfig#NONE} by default. */
    public ConsumersConfig consumers() { return consumers; }

    public ServerConfig consumers(ConsumersConfig consumers) {
        Objects.requireNonNull(consumers, "consumers");
        return with(c -> c.consumers = consumers);
    }
}
