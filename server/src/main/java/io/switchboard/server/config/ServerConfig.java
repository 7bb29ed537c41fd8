package io.switchboard.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The settings of one node. Filled in by the CLI (flags, environment, YAML) or by tests, then handed to
 * the server, which does not change it. Defaults are the documented ones.
 */
public final class ServerConfig {

    /** Whether the node hands out demo tokens at {@code /demo/token}. */
    public enum DemoTokens { AUTO, ON, OFF }

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
    private int maxChannelsPerConnection = 128;
    private int errorBurstLimit = 50;
    private Duration errorBurstWindow = Duration.ofSeconds(10);
    private Duration drainWindow = Duration.ofSeconds(10);
    private int ioThreads;
    private Namespaces namespaces = Namespaces.defaults();
    private Duration idempotencyWindow = Duration.ofMinutes(5);
    private int maxRecover = 1000;
    private Duration presenceTtl = Duration.ofSeconds(60);
    private java.util.List<String> allowedOrigins = java.util.List.of();
    private int maxConnectionsPerUser = 100;
    private int maxConnectionsPerIp = 5000;
    private int newConnectionsPerSecondPerIp = 100;
    private int newConnectionsBurstPerIp = 500;
    private int commandsPerSecond = 100;
    private int commandBurst = 200;
    private java.nio.file.Path tlsCert;
    private java.nio.file.Path tlsKey;
    private boolean behindTlsProxy;
    private int maxPresenceInfoBytes = 1024;

    public String bind() {
        return bind;
    }

    public ServerConfig bind(String bind) {
        this.bind = bind;
        return this;
    }

    public int port() {
        return port;
    }

    public ServerConfig port(int port) {
        this.port = port;
        return this;
    }

    /** The HS256 secret, or null to generate a random one for this run. */
    public String jwtSecret() {
        return jwtSecret;
    }

    public ServerConfig jwtSecret(String jwtSecret) {
        this.jwtSecret = jwtSecret;
        return this;
    }

    public boolean allowAnonymous() {
        return allowAnonymous;
    }

    public ServerConfig allowAnonymous(boolean allowAnonymous) {
        this.allowAnonymous = allowAnonymous;
        return this;
    }

    public DemoTokens demoTokens() {
        return demoTokens;
    }

    public ServerConfig demoTokens(DemoTokens demoTokens) {
        this.demoTokens = demoTokens;
        return this;
    }

    /** True when {@code /demo/token} mints tokens: ON, or AUTO on a loopback bind address. */
    public boolean demoTokensEnabled() {
        return demoTokens == DemoTokens.ON || (demoTokens == DemoTokens.AUTO && isLoopbackBind());
    }

    public boolean isLoopbackBind() {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public ServerConfig maxFrameBytes(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
        return this;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public ServerConfig handshakeTimeout(Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
        return this;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public ServerConfig heartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
        return this;
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    public ServerConfig heartbeatTimeout(Duration heartbeatTimeout) {
        this.heartbeatTimeout = heartbeatTimeout;
        return this;
    }

    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    public ServerConfig maxQueuedBytes(long maxQueuedBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
        return this;
    }

    public int maxChannelsPerConnection() {
        return maxChannelsPerConnection;
    }

    public ServerConfig maxChannelsPerConnection(int maxChannelsPerConnection) {
        this.maxChannelsPerConnection = maxChannelsPerConnection;
        return this;
    }

    public int errorBurstLimit() {
        return errorBurstLimit;
    }

    public ServerConfig errorBurstLimit(int errorBurstLimit) {
        this.errorBurstLimit = errorBurstLimit;
        return this;
    }

    public Duration errorBurstWindow() {
        return errorBurstWindow;
    }

    public ServerConfig errorBurstWindow(Duration errorBurstWindow) {
        this.errorBurstWindow = errorBurstWindow;
        return this;
    }

    public Duration drainWindow() {
        return drainWindow;
    }

    public ServerConfig drainWindow(Duration drainWindow) {
        this.drainWindow = drainWindow;
        return this;
    }

    public Namespaces namespaces() {
        return namespaces;
    }

    public ServerConfig namespaces(Namespaces namespaces) {
        this.namespaces = namespaces;
        return this;
    }

    /** How long an idempotency key is remembered. */
    public Duration idempotencyWindow() {
        return idempotencyWindow;
    }

    public ServerConfig idempotencyWindow(Duration idempotencyWindow) {
        this.idempotencyWindow = idempotencyWindow;
        return this;
    }

    /** Most messages one subscribe may recover; a larger gap answers {@code recovered: false}. */
    public int maxRecover() {
        return maxRecover;
    }

    public ServerConfig maxRecover(int maxRecover) {
        this.maxRecover = maxRecover;
        return this;
    }

    /** How long a presence entry lives unless its node refreshes it. */
    public Duration presenceTtl() {
        return presenceTtl;
    }

    public ServerConfig presenceTtl(Duration presenceTtl) {
        this.presenceTtl = presenceTtl;
        return this;
    }

    /**
     * Origins browsers may open WebSockets from, besides the node's own (same host and port). Entries are
     * exact origins ({@code https://app.example.com}), wildcard hosts ({@code https://*.example.com}) or
     * {@code *} for any. Empty: loopback origins only.
     */
    public java.util.List<String> allowedOrigins() {
        return allowedOrigins;
    }

    public ServerConfig allowedOrigins(java.util.List<String> allowedOrigins) {
        this.allowedOrigins = java.util.List.copyOf(allowedOrigins);
        return this;
    }

    /** Open sessions one user may have; 0 = no limit. */
    public int maxConnectionsPerUser() {
        return maxConnectionsPerUser;
    }

    public ServerConfig maxConnectionsPerUser(int n) {
        this.maxConnectionsPerUser = n;
        return this;
    }

    /** Open sessions one remote address may have; 0 = no limit. */
    public int maxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    public ServerConfig maxConnectionsPerIp(int n) {
        this.maxConnectionsPerIp = n;
        return this;
    }

    /** Sustained WebSocket upgrades per second from one address; 0 = no limit. */
    public int newConnectionsPerSecondPerIp() {
        return newConnectionsPerSecondPerIp;
    }

    public ServerConfig newConnectionsPerSecondPerIp(int n) {
        this.newConnectionsPerSecondPerIp = n;
        return this;
    }

    /** Upgrades one address may make at once before the per-second rate applies. */
    public int newConnectionsBurstPerIp() {
        return newConnectionsBurstPerIp;
    }

    public ServerConfig newConnectionsBurstPerIp(int n) {
        this.newConnectionsBurstPerIp = n;
        return this;
    }

    /** Sustained commands per second one connection may send; 0 = no limit. */
    public int commandsPerSecond() {
        return commandsPerSecond;
    }

    public ServerConfig commandsPerSecond(int n) {
        this.commandsPerSecond = n;
        return this;
    }

    /** Commands one connection may send at once before the per-second rate applies. */
    public int commandBurst() {
        return commandBurst;
    }

    public ServerConfig commandBurst(int n) {
        this.commandBurst = n;
        return this;
    }

    /** PEM certificate chain for WSS/HTTPS, or null for plain WS/HTTP. */
    public java.nio.file.Path tlsCert() {
        return tlsCert;
    }

    /** PEM private key (PKCS#8) matching {@link #tlsCert()}. */
    public java.nio.file.Path tlsKey() {
        return tlsKey;
    }

    public ServerConfig tls(java.nio.file.Path cert, java.nio.file.Path key) {
        this.tlsCert = cert;
        this.tlsKey = key;
        return this;
    }

    public boolean tlsEnabled() {
        return tlsCert != null;
    }

    /** The operator says a TLS proxy sits in front, so a non-loopback bind without TLS is intended. */
    public boolean behindTlsProxy() {
        return behindTlsProxy;
    }

    public ServerConfig behindTlsProxy(boolean behindTlsProxy) {
        this.behindTlsProxy = behindTlsProxy;
        return this;
    }

    /** Largest {@code info} claim a token may carry (it is copied into every presence entry). */
    public int maxPresenceInfoBytes() {
        return maxPresenceInfoBytes;
    }

    public ServerConfig maxPresenceInfoBytes(int n) {
        this.maxPresenceInfoBytes = n;
        return this;
    }

    /** Event-loop threads; 0 means one per core. */
    public int ioThreads() {
        return ioThreads;
    }

    public ServerConfig ioThreads(int ioThreads) {
        this.ioThreads = ioThreads;
        return this;
    }

    // JWT verification beyond the HS256 secret: public keys, a JWKS URL, issuer and audience (docs/auth.md).
    private java.util.List<String> jwtPublicKeys = java.util.List.of();
    private String jwksUrl;
    private Duration jwksRefreshInterval = Duration.ofMinutes(5);
    private Duration jwksMinRefreshInterval = Duration.ofSeconds(30);
    private String jwtIssuer;
    private java.util.List<String> jwtAudiences = java.util.List.of();

    /** PEM files (or PEM text) of public keys that verify RS256, ES256 and EdDSA tokens. */
    public java.util.List<String> jwtPublicKeys() {
        return jwtPublicKeys;
    }

    public ServerConfig jwtPublicKeys(java.util.List<String> jwtPublicKeys) {
        this.jwtPublicKeys = jwtPublicKeys == null ? java.util.List.of() : java.util.List.copyOf(jwtPublicKeys);
        return this;
    }

    /** The JWKS URL whose keys verify tokens, or null. */
    public String jwksUrl() {
        return jwksUrl;
    }

    public ServerConfig jwksUrl(String jwksUrl) {
        this.jwksUrl = jwksUrl;
        return this;
    }

    /** How often the JWKS is fetched again. */
    public Duration jwksRefreshInterval() {
        return jwksRefreshInterval;
    }

    public ServerConfig jwksRefreshInterval(Duration jwksRefreshInterval) {
        this.jwksRefreshInterval = jwksRefreshInterval;
        return this;
    }

    /** The least time between two fetches of the JWKS when tokens name unknown key ids. */
    public Duration jwksMinRefreshInterval() {
        return jwksMinRefreshInterval;
    }

    public ServerConfig jwksMinRefreshInterval(Duration jwksMinRefreshInterval) {
        this.jwksMinRefreshInterval = jwksMinRefreshInterval;
        return this;
    }

    /** The iss a token must carry, or null to not check it. */
    public String jwtIssuer() {
        return jwtIssuer;
    }

    public ServerConfig jwtIssuer(String jwtIssuer) {
        this.jwtIssuer = jwtIssuer;
        return this;
    }

    /** The aud values a token may name (one is enough); empty to not check it. */
    public java.util.List<String> jwtAudiences() {
        return jwtAudiences;
    }

    public ServerConfig jwtAudiences(java.util.List<String> jwtAudiences) {
        this.jwtAudiences = jwtAudiences == null ? java.util.List.of() : java.util.List.copyOf(jwtAudiences);
        return this;
    }

    // Operations: the server API, metrics and the node's name (docs/api.md, docs/operations.md).

    /** Who may read {@code /metrics} on the main port. AUTO: anyone on a loopback bind, else API-key holders. */
    public enum MetricsAuth { AUTO, NONE, API_KEY }

    private java.util.List<String> apiKeys = java.util.List.of();
    private int apiMaxBodyBytes = 1024 * 1024;
    private int metricsPort = -1;
    private String metricsBind = "127.0.0.1";
    private MetricsAuth metricsAuth = MetricsAuth.AUTO;
    private String nodeName;

    /** Keys accepted in {@code X-API-Key} (or {@code Authorization: Bearer}) by the server API; empty: API off. */
    public java.util.List<String> apiKeys() {
        return apiKeys;
    }

    public ServerConfig apiKeys(java.util.List<String> apiKeys) {
        this.apiKeys = apiKeys == null ? java.util.List.of() : java.util.List.copyOf(apiKeys);
        return this;
    }

    /** Largest request body the server API accepts. */
    public int apiMaxBodyBytes() {
        return apiMaxBodyBytes;
    }

    public ServerConfig apiMaxBodyBytes(int n) {
        this.apiMaxBodyBytes = n;
        return this;
    }

    /** A separate port serving only {@code /metrics} (no key), or -1 to serve it on the main port. */
    public int metricsPort() {
        return metricsPort;
    }

    public ServerConfig metricsPort(int metricsPort) {
        this.metricsPort = metricsPort;
        return this;
    }

    /** The address of the separate metrics port. */
    public String metricsBind() {
        return metricsBind;
    }

    public ServerConfig metricsBind(String metricsBind) {
        this.metricsBind = metricsBind;
        return this;
    }

    public MetricsAuth metricsAuth() {
        return metricsAuth;
    }

    public ServerConfig metricsAuth(MetricsAuth metricsAuth) {
        this.metricsAuth = metricsAuth;
        return this;
    }

    /** True when {@code /metrics} on the main port needs an API key. */
    public boolean metricsNeedKey() {
        return metricsAuth == MetricsAuth.API_KEY || (metricsAuth == MetricsAuth.AUTO && !isLoopbackBind());
    }

    /** This node's name in node info and logs, or null for a random one per run. */
    public String nodeName() {
        return nodeName;
    }

    public ServerConfig nodeName(String nodeName) {
        this.nodeName = nodeName;
        return this;
    }

    // ---- cluster (issue 7) ----
    private ClusterConfig cluster = ClusterConfig.MEMORY;

    /** The engine and broker: memory for one node, Redis (and NATS) for a cluster. */
    public ClusterConfig cluster() {
        return cluster;
    }

    public ServerConfig cluster(ClusterConfig cluster) {
        this.cluster = cluster;
        return this;
    }
}
