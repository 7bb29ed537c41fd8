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
}
