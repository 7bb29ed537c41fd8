package io.switchboard.embedded;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.embedded.internal.HookRunner;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The configuration of an embedded node: the options of {@code switchboard serve} (same names in camel
 * case, same defaults, same checks: a value out of range throws an {@link IllegalArgumentException} that
 * names the option as the CLI does), the engine, the application's {@link Authenticator} and hooks, and
 * the meter registry. {@link #build()} checks the options that depend on each other and returns a node
 * that is not started yet. Not thread-safe; use one builder per node.
 */
public final class SwitchboardBuilder {

    // No warm-up unless asked for: an application's start should not pay seconds for it unannounced.
    private ServerConfig config = new ServerConfig().warmUpSessions(0);
    private final Namespaces.Builder namespaces = Namespaces.builder();
    private final HookRunner.Builder hooks = new HookRunner.Builder();
    private String engine = "memory";
    private final List<String> redisUrls = new ArrayList<>();
    private String natsUrl;
    private MeterRegistry meterRegistry;

    SwitchboardBuilder() {
    }

    // ---- network -------------------------------------------------------------------------------

    /** {@code --bind}: the address to listen on (default 127.0.0.1; another needs TLS or behindTlsProxy). */
    public SwitchboardBuilder bind(String address) {
        config = config.bind(address);
        return this;
    }

    /**
     * {@code --warm-up-sessions}: WebSocket sessions {@link Switchboard#start()} runs on a throwaway loopback
     * node before it binds the port (an HS256 token, subscribe, publish, the ack, a message, close), so that a
     * fresh node's first connection storm finds the upgrade, the token check and the session compiled. Default
     * 0 here (off), unlike {@code serve}'s 3,000: 3,000 take 3 to 5 s on two cores, and the start gives up on
     * the rest after 15 s. It does not fail the start (an interrupt aside); it uses none of this node's hooks, engine or metrics, and
     * the {@code io.switchboard} log level is raised to WARN while it runs (docs/embedding.md).
     */
    public SwitchboardBuilder warmUpSessions(int n) {
        config = config.warmUpSessions(n);
        return this;
    }

    /** {@code --port}: the port to listen on; 0 picks a free one ({@link Switchboard#port()} tells which). */
    public SwitchboardBuilder port(int port) {
        config = config.port(port);
        return this;
    }

    /** {@code --tls-cert}, {@code --tls-key}: WSS on the node's port, from PEM files. */
    public SwitchboardBuilder tls(Path cert, Path key) {
        config = config.tls(config.tls().withFiles(cert, key));
        return this;
    }

    /** {@code --behind-tls-proxy}: a non-loopback bind without TLS, because a proxy terminates it. */
    public SwitchboardBuilder behindTlsProxy(boolean on) {
        config = config.tls(config.tls().withBehindProxy(on));
        return this;
    }

    /** {@code --allowed-origins}: browser origins allowed besides the node's own (loopback by default). */
    public SwitchboardBuilder allowedOrigins(List<String> origins) {
        config = config.allowedOrigins(origins);
        return this;
    }

    /** {@code --io-threads}: event-loop threads; 0 = one per core. */
    public SwitchboardBuilder ioThreads(int n) {
        config = config.ioThreads(n);
        return this;
    }

    /** {@code --handshake-timeout}: time to send a complete HTTP request or upgrade (bounds a connect hook too). */
    public SwitchboardBuilder handshakeTimeout(Duration d) {
        config = config.handshakeTimeout(d);
        return this;
    }

    /** {@code --drain-window}: {@link Switchboard#close()} closes sessions with 1001 spread over this time. */
    public SwitchboardBuilder drainWindow(Duration d) {
        config = config.drainWindow(d);
        return this;
    }

    // ---- tokens --------------------------------------------------------------------------------

    /** {@code --jwt-secret}: the HS256 secret, at least 32 bytes; random per run when not given. */
    public SwitchboardBuilder jwtSecret(String secret) {
        config = config.jwtSecret(secret);
        return this;
    }

    /** {@code --jwt-public-key}: PEM files (or PEM text) of keys that verify RS256, ES256 and EdDSA tokens. */
    public SwitchboardBuilder jwtPublicKeys(List<String> pems) {
        config = config.jwt(config.jwt().withPublicKeys(pems));
        return this;
    }

    /** {@code --jwks-url}: a JWKS to verify tokens with, refreshed in the background. */
    public SwitchboardBuilder jwksUrl(String url) {
        config = config.jwt(config.jwt().withJwksUrl(url));
        return this;
    }

    /** {@code --jwt-issuer}: the required {@code iss}. */
    public SwitchboardBuilder jwtIssuer(String issuer) {
        config = config.jwt(config.jwt().withIssuer(issuer));
        return this;
    }

    /** {@code --jwt-audience}: the accepted {@code aud} values. */
    public SwitchboardBuilder jwtAudiences(List<String> audiences) {
        config = config.jwt(config.jwt().withAudiences(audiences));
        return this;
    }

    /** {@code --allow-anonymous}: accept connections without a user. */
    public SwitchboardBuilder allowAnonymous(boolean on) {
        config = config.allowAnonymous(on);
        return this;
    }

    /** {@code --demo-tokens}: whether {@code /demo/token} hands out tokens (default: only on a loopback bind). */
    public SwitchboardBuilder demoTokens(Boolean on) {
        config = config.demoTokens(on == null ? ServerConfig.DemoTokens.AUTO : on ? ServerConfig.DemoTokens.ON : ServerConfig.DemoTokens.OFF);
        return this;
    }

    /** {@code --max-presence-info-bytes}: the largest {@code info} a user may carry. */
    public SwitchboardBuilder maxPresenceInfoBytes(int n) {
        config = config.maxPresenceInfoBytes(n);
        return this;
    }

    // ---- limits --------------------------------------------------------------------------------

    /** {@code --max-frame-bytes}: the largest frame or message (at least 2048). */
    public SwitchboardBuilder maxFrameBytes(int n) {
        config = config.maxFrameBytes(n);
        return this;
    }

    /** {@code --max-queued-bytes}: bytes queued for one connection before it is closed as a slow consumer. */
    public SwitchboardBuilder maxQueuedBytes(long n) {
        config = config.maxQueuedBytes(n);
        return this;
    }

    /** {@code --max-channels}: channels one connection may subscribe to. */
    public SwitchboardBuilder maxChannels(int n) {
        config = config.limits(config.limits().withMaxChannelsPerConnection(n));
        return this;
    }

    /** {@code --heartbeat-interval}: time between server pings. */
    public SwitchboardBuilder heartbeatInterval(Duration d) {
        config = config.heartbeatInterval(d);
        return this;
    }

    /** {@code --heartbeat-timeout}: time a client has to answer a ping. */
    public SwitchboardBuilder heartbeatTimeout(Duration d) {
        config = config.heartbeatTimeout(d);
        return this;
    }

    /** {@code --error-burst-limit} and {@code --error-burst-window}: bad commands tolerated per window. */
    public SwitchboardBuilder errorBurst(int limit, Duration window) {
        config = config.limits(config.limits().withErrorBurstLimit(limit).withErrorBurstWindow(window));
        return this;
    }

    /** {@code --commands-per-second} and {@code --command-burst}: the per-connection command rate. */
    public SwitchboardBuilder commandRate(int perSecond, int burst) {
        config = config.limits(config.limits().withCommandsPerSecond(perSecond).withCommandBurst(burst));
        return this;
    }

    /** {@code --commands-per-second} alone: commands per second per connection (0 = off); the burst stays. */
    public SwitchboardBuilder commandsPerSecond(int perSecond) {
        config = config.limits(config.limits().withCommandsPerSecond(perSecond));
        return this;
    }

    /** {@code --command-burst} alone: commands a connection may send at once; the rate stays. */
    public SwitchboardBuilder commandBurst(int burst) {
        config = config.limits(config.limits().withCommandBurst(burst));
        return this;
    }

    /**
     * {@code hooks.rpc-limits}: how often each connection may call the rpc {@code method} ({@code "*"}: one shared
     * rate for every method not given its own); a call over it is answered {@code rate_limited}.
     */
    public SwitchboardBuilder rpcLimit(String method, int perSecond, int burst) {
        java.util.Map<String, io.switchboard.server.config.HooksConfig.RateLimit> limits =
                new java.util.LinkedHashMap<>(config.hooks().rpcLimits());
        limits.put(method, new io.switchboard.server.config.HooksConfig.RateLimit(perSecond, burst));
        io.switchboard.server.config.HooksConfig h = config.hooks();
        config = config.hooks(new io.switchboard.server.config.HooksConfig(h.hooks(), h.maxAnswerBytes(), limits));
        return this;
    }

    /**
     * {@code --compression}, {@code --compression-threshold} and {@code --compression-level}: permessage-deflate
     * on the node's {@code /ws} when a client offers it (off by default; docs/protocol.md 1.6).
     */
    public SwitchboardBuilder compression(boolean on, int thresholdBytes, int level) {
        config = config.compression(new io.switchboard.server.config.CompressionConfig(on, thresholdBytes, level));
        return this;
    }

    /** {@code --compression on} with the default threshold (256 bytes) and level (6). */
    public SwitchboardBuilder compression(boolean on) {
        io.switchboard.server.config.CompressionConfig c = io.switchboard.server.config.CompressionConfig.DEFAULT;
        return compression(on, c.threshold(), c.level());
    }

    /** {@code --max-connections-per-user}: open connections per user (0 = off). */
    public SwitchboardBuilder maxConnectionsPerUser(int n) {
        config = config.limits(config.limits().withMaxConnectionsPerUser(n));
        return this;
    }

    /** {@code --max-connections-per-ip}: open connections per address (0 = off). */
    public SwitchboardBuilder maxConnectionsPerIp(int n) {
        config = config.limits(config.limits().withMaxConnectionsPerIp(n));
        return this;
    }

    /** {@code --new-connections-per-second-per-ip} and {@code --new-connections-burst-per-ip}. */
    public SwitchboardBuilder newConnectionRatePerIp(int perSecond, int burst) {
        config = config.limits(config.limits().withNewConnectionsPerSecondPerIp(perSecond).withNewConnectionsBurstPerIp(burst));
        return this;
    }

    /** {@code --new-connections-per-second-per-ip} alone (0 = off); the burst stays. */
    public SwitchboardBuilder newConnectionsPerSecondPerIp(int perSecond) {
        config = config.limits(config.limits().withNewConnectionsPerSecondPerIp(perSecond));
        return this;
    }

    /** {@code --new-connections-burst-per-ip} alone; the rate stays. */
    public SwitchboardBuilder newConnectionsBurstPerIp(int burst) {
        config = config.limits(config.limits().withNewConnectionsBurstPerIp(burst));
        return this;
    }

    // ---- streams and presence ------------------------------------------------------------------

    /** {@code --max-recover}: most messages one resubscribe may recover. */
    public SwitchboardBuilder maxRecover(int n) {
        config = config.maxRecover(n);
        return this;
    }

    /** {@code --idempotency-window}: how long a publish's idempotency key is remembered. */
    public SwitchboardBuilder idempotencyWindow(Duration d) {
        config = config.idempotencyWindow(d);
        return this;
    }

    /** {@code --presence-ttl}: life of a presence entry its node stops renewing. */
    public SwitchboardBuilder presenceTtl(Duration d) {
        config = config.presenceTtl(d);
        return this;
    }

    /** Adds a namespace, or replaces one (also {@code ""} and {@code chat}, which exist by default). */
    public SwitchboardBuilder namespace(Namespace ns) {
        namespaces.put(Convert.namespace(ns));
        return this;
    }

    /** Removes a namespace, for example the default {@code chat}. */
    public SwitchboardBuilder withoutNamespace(String name) {
        namespaces.remove(name);
        return this;
    }

    // ---- operations ----------------------------------------------------------------------------

    /** {@code --api-key}: keys that open the node's server API ({@code /api}) and admin page; none: off. */
    public SwitchboardBuilder apiKeys(List<String> keys) {
        config = config.apiKeys(keys);
        return this;
    }

    /** {@code --api-max-body-bytes}: the largest server-API request body. */
    public SwitchboardBuilder apiMaxBodyBytes(int n) {
        config = config.apiMaxBodyBytes(n);
        return this;
    }

    /** {@code --metrics-port} and {@code --metrics-bind}: serve {@code /metrics} on a separate port (-1: the main one). */
    public SwitchboardBuilder metricsPort(String bind, int port) {
        config = config.metricsBind(bind).metricsPort(port);
        return this;
    }

    /** {@code --node-name}: the node's name in node info (random per run when not given). */
    public SwitchboardBuilder nodeName(String name) {
        config = config.nodeName(name);
        return this;
    }

    /**
     * Registers the node's {@code switchboard.*} meters in the application's registry too (they stay on
     * the node's {@code /metrics}); closing the node removes them again.
     */
    public SwitchboardBuilder meterRegistry(MeterRegistry registry) {
        this.meterRegistry = registry;
        return this;
    }

    // ---- engine --------------------------------------------------------------------------------

    /** The in-memory engine (default): one node alone. */
    public SwitchboardBuilder memoryEngine() {
        engine = "memory";
        redisUrls.clear();
        natsUrl = null;
        return this;
    }

    /**
     * {@code --engine redis --redis-url ...}: history, presence and offsets in Redis, shared with other
     * nodes; live messages over Redis pub/sub unless {@link #natsBroker} is given.
     */
    public SwitchboardBuilder redisEngine(List<String> urls) {
        engine = "redis";
        redisUrls.clear();
        redisUrls.addAll(urls);
        return this;
    }

    /** {@code --broker nats --nats-url ...}: live messages between nodes over NATS (with {@link #redisEngine}). */
    public SwitchboardBuilder natsBroker(String url) {
        natsUrl = Objects.requireNonNull(url, "url");
        return this;
    }

    // ---- the application's decisions -----------------------------------------------------------

    /** Replaces the JWT check with the application's (called on the event loop: must not block). */
    public SwitchboardBuilder authenticator(Authenticator authenticator) {
        hooks.authenticator(authenticator);
        return this;
    }

    /** A blocking connect decision, run on the hook executor. */
    public SwitchboardBuilder onConnect(ConnectHook hook) {
        hooks.connect(hook);
        return this;
    }

    /** An asynchronous connect decision. */
    public SwitchboardBuilder onConnectAsync(AsyncConnectHook hook) {
        hooks.connectAsync(hook);
        return this;
    }

    /** A blocking subscribe decision, run on the hook executor. */
    public SwitchboardBuilder onSubscribe(SubscribeHook hook) {
        hooks.subscribe(hook);
        return this;
    }

    /** An asynchronous subscribe decision. */
    public SwitchboardBuilder onSubscribeAsync(AsyncSubscribeHook hook) {
        hooks.subscribeAsync(hook);
        return this;
    }

    /** A blocking publish decision, run on the hook executor. */
    public SwitchboardBuilder onPublish(PublishHook hook) {
        hooks.publish(hook);
        return this;
    }

    /** An asynchronous publish decision. */
    public SwitchboardBuilder onPublishAsync(AsyncPublishHook hook) {
        hooks.publishAsync(hook);
        return this;
    }

    /** A blocking answer to clients' {@code rpc} commands, run on the hook executor. */
    public SwitchboardBuilder onRpc(RpcHook hook) {
        hooks.rpc(hook);
        return this;
    }

    /** An asynchronous answer to clients' {@code rpc} commands. */
    public SwitchboardBuilder onRpcAsync(AsyncRpcHook hook) {
        hooks.rpcAsync(hook);
        return this;
    }

    /**
     * The executor of blocking hooks: {@code threads} threads and a queue of {@code queue} waiting calls
     * (a call that finds it full is answered {@code unavailable}); defaults 8 and 1024.
     */
    public SwitchboardBuilder hookExecutor(int threads, int queue) {
        hooks.executor(threads, queue);
        return this;
    }

    /** How long any hook may take before its caller is answered {@code unavailable}; default 5 s. */
    public SwitchboardBuilder hookTimeout(Duration timeout) {
        hooks.timeout(timeout);
        return this;
    }

    /** Checks the options together and returns the node, not started yet. */
    public Switchboard build() {
        ClusterConfig cluster = new ClusterConfig(engine, List.copyOf(redisUrls), natsUrl != null ? "nats" : null, natsUrl);
        ServerConfig c = config.namespaces(namespaces.build()).cluster(cluster).checkCombinations();
        return new Switchboard(c, hooks, meterRegistry);
    }

    static final class Convert {
        private Convert() {
        }

        static NamespaceConfig namespace(Namespace n) {
            return NamespaceConfig.plain(n.name())
                    .withHistory(n.historySize(), n.historyTtl())
                    .withPresence(n.presenceOn(), n.joinLeave())
                    .withAccess(access(n.subscribeAccess()), access(n.publishAccess()), access(n.historyAccess()),
                            access(n.presenceAccess()))
                    .withEcho(n.echoOn());
        }

        static io.switchboard.server.config.Access access(Access a) {
            return io.switchboard.server.config.Access.valueOf(a.name());
        }
    }
}
