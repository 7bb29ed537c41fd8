package io.switchboard.server.cli;

import io.switchboard.server.Version;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.SwitchboardServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", description = "Run a Switchboard node (the default command).", mixinStandardHelpOptions = true,
        sortOptions = false)
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    private final ConfigSources sources;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of options (keys are option names without dashes).")
    String config;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--jwt-secret", paramLabel = "SECRET", description = "HS256 secret (at least 32 bytes). Unset: a random one per run.")
    String jwtSecret;

    @Option(names = "--allow-anonymous", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Accept connections without a token (default: ${DEFAULT-VALUE}).")
    boolean allowAnonymous;

    @Option(names = "--jwt-public-key", paramLabel = "FILE", split = ",",
            description = "PEM public key (RSA, EC P-256 or Ed25519) that verifies RS256, ES256 or EdDSA tokens; repeatable or comma-separated.")
    java.util.List<String> jwtPublicKeys;

    @Option(names = "--jwks-url", paramLabel = "URL", description = "JWKS (http or https) whose keys verify RS256, ES256 and EdDSA tokens; fetched in the background.")
    String jwksUrl;

    @Option(names = "--jwks-refresh-interval", defaultValue = "5m", converter = DurationConverter.class, description = "How often the JWKS is fetched again (default: ${DEFAULT-VALUE}).")
    Duration jwksRefreshInterval;

    @Option(names = "--jwks-min-refresh-interval", defaultValue = "30s", converter = DurationConverter.class, description = "Least time between early JWKS fetches caused by unknown key ids (default: ${DEFAULT-VALUE}).")
    Duration jwksMinRefreshInterval;

    @Option(names = "--jwt-issuer", paramLabel = "ISS", description = "The iss claim every token must carry. Unset: not checked.")
    String jwtIssuer;

    @Option(names = "--jwt-audience", paramLabel = "AUD", split = ",", description = "Accepted aud values (a token must name one); repeatable or comma-separated. Unset: not checked.")
    java.util.List<String> jwtAudiences;

    @Option(names = "--demo-tokens", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "Hand out demo tokens at /demo/token: auto = only when bound to loopback (default: ${DEFAULT-VALUE}).")
    String demoTokens;

    @Option(names = "--max-frame-bytes", defaultValue = "65536", description = "Largest accepted frame or message; over it: close 1009 (default: ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Option(names = "--max-queued-bytes", defaultValue = "1048576", description = "Bytes queued for one connection before it is closed as a slow consumer (default: ${DEFAULT-VALUE}).")
    long maxQueuedBytes;

    @Option(names = "--max-channels", defaultValue = "128", description = "Channels one connection may subscribe to (default: ${DEFAULT-VALUE}).")
    int maxChannels;

    @Option(names = "--heartbeat-interval", defaultValue = "25s", converter = DurationConverter.class, description = "Time between server pings (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval;

    @Option(names = "--heartbeat-timeout", defaultValue = "10s", converter = DurationConverter.class, description = "Time a client has to answer a ping (default: ${DEFAULT-VALUE}).")
    Duration heartbeatTimeout;

    @Option(names = "--handshake-timeout", defaultValue = "10s", converter = DurationConverter.class, description = "Time to send a complete HTTP request or upgrade (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(names = "--error-burst-limit", defaultValue = "50", description = "Bad commands tolerated per window before close 4002 (default: ${DEFAULT-VALUE}).")
    int errorBurstLimit;

    @Option(names = "--error-burst-window", defaultValue = "10s", converter = DurationConverter.class, description = "The window of --error-burst-limit (default: ${DEFAULT-VALUE}).")
    Duration errorBurstWindow;

    @Option(names = "--drain-window", defaultValue = "10s", converter = DurationConverter.class, description = "On SIGTERM, sessions are closed with 1001 spread over this time (default: ${DEFAULT-VALUE}).")
    Duration drainWindow;

    @Option(names = "--idempotency-window", defaultValue = "5m", converter = DurationConverter.class, description = "How long a publish's idempotencyKey is remembered (default: ${DEFAULT-VALUE}).")
    Duration idempotencyWindow;

    @Option(names = "--max-recover", defaultValue = "1000", description = "Most messages one subscribe may recover; more answers recovered:false (default: ${DEFAULT-VALUE}).")
    int maxRecover;

    @Option(names = "--presence-ttl", defaultValue = "60s", converter = DurationConverter.class, description = "Life of a presence entry its node does not refresh (default: ${DEFAULT-VALUE}).")
    Duration presenceTtl;

    @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
            description = "Browser origins allowed besides the node's own: exact (https://app.example.com), wildcard (https://*.example.com) or *. Unset: loopback origins only.")
    java.util.List<String> allowedOrigins;

    @Option(names = "--max-connections-per-user", defaultValue = "100", description = "Open connections one user may have; 0 = no limit; over it: close 4006 (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerUser;

    @Option(names = "--max-connections-per-ip", defaultValue = "5000", description = "Open connections one address may have; 0 = no limit; over it: close 4006 (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerIp;

    @Option(names = "--new-connections-per-second-per-ip", defaultValue = "100", description = "Sustained WebSocket upgrades per second from one address; 0 = no limit; over it: HTTP 429 (default: ${DEFAULT-VALUE}).")
    int newConnectionsPerSecondPerIp;

    @Option(names = "--new-connections-burst-per-ip", defaultValue = "500", description = "Upgrades one address may make at once before the rate applies (default: ${DEFAULT-VALUE}).")
    int newConnectionsBurstPerIp;

    @Option(names = "--commands-per-second", defaultValue = "100", description = "Sustained commands per second per connection; 0 = no limit; over it: rate_limited, then close 4003 (default: ${DEFAULT-VALUE}).")
    int commandsPerSecond;

    @Option(names = "--command-burst", defaultValue = "200", description = "Commands a connection may send at once before the rate applies (default: ${DEFAULT-VALUE}).")
    int commandBurst;

    @Option(names = "--max-presence-info-bytes", defaultValue = "1024", description = "Largest info claim a token may carry; over it the connection is refused (default: ${DEFAULT-VALUE}).")
    int maxPresenceInfoBytes;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain (PEM) for WSS and HTTPS on the same port; reloaded on change or SIGHUP.")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PEM, PKCS#8) for --tls-cert.")
    java.nio.file.Path tlsKey;

    @Option(names = "--behind-tls-proxy", description = "Allow a non-loopback bind without TLS, because a TLS proxy is in front.")
    boolean behindTlsProxy;

    @Option(names = "--io-threads", defaultValue = "0", description = "Event-loop threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--api-key", split = ",", paramLabel = "KEY",
            description = "Key that opens the server API (/api) and the admin page, sent as X-API-Key; repeatable or comma-separated (a list in YAML). Unset: the API is off.")
    java.util.List<String> apiKeys;

    @Option(names = "--api-max-body-bytes", defaultValue = "1048576", description = "Largest server-API request body (default: ${DEFAULT-VALUE}).")
    int apiMaxBodyBytes;

    @Option(names = "--metrics-port", defaultValue = "-1", description = "Serve /metrics (without a key) on this separate port only; -1 = on the main port (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-bind", defaultValue = "127.0.0.1", description = "Address of --metrics-port (default: ${DEFAULT-VALUE}).")
    String metricsBind;

    @Option(names = "--metrics-auth", paramLabel = "auto|none|api-key", defaultValue = "auto",
            description = "Who may read /metrics on the main port: none = anyone, api-key = API-key holders, auto = anyone on a loopback bind, else API-key holders (default: ${DEFAULT-VALUE}).")
    String metricsAuth;

    @Option(names = "--node-name", paramLabel = "NAME", description = "This node's name in node info, metrics and logs. Unset: random per run.")
    String nodeName;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text", description = "Log lines as text or as one JSON object each (default: ${DEFAULT-VALUE}).")
    String logFormat;

    // ---- cluster (issue 7): see docs/cluster.md ----
    @Option(names = "--engine", paramLabel = "memory|redis", defaultValue = "memory",
            description = "Where history, presence and idempotency keys live: memory (one node) or redis (a cluster) (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--redis-url", paramLabel = "URL", split = ",",
            description = "Redis server(s) for --engine redis, e.g. redis://127.0.0.1:6379; repeatable or comma-separated to shard channels over several.")
    java.util.List<String> redisUrls;

    @Option(names = "--broker", paramLabel = "redis|nats",
            description = "What carries live messages between nodes: redis (pub/sub) or nats. Unset: the engine's own.")
    String broker;

    @Option(names = "--nats-url", paramLabel = "URL", description = "NATS server for --broker nats, e.g. nats://127.0.0.1:4222.")
    String natsUrl;

    @Option(names = "--print-config", description = "Print the effective configuration (secrets masked) and exit.")
    boolean printConfig;

    ServeCommand(ConfigSources sources) {
        this.sources = sources;
    }

    ServerConfig toServerConfig() {
        ServerConfig.DemoTokens demo;
        try {
            demo = ServerConfig.DemoTokens.valueOf(demoTokens.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigSources.ConfigException("--demo-tokens must be auto, on or off, not '" + demoTokens + "'");
        }
        if (jwtSecret != null && !jwtSecret.isEmpty() && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new ConfigSources.ConfigException("--jwt-secret must be at least 32 bytes for HS256");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ConfigSources.ConfigException("--tls-cert and --tls-key go together");
        }
        ServerConfig probe = new ServerConfig().bind(bind);
        if (tlsCert == null && !behindTlsProxy && !probe.isLoopbackBind()) {
            throw new ConfigSources.ConfigException("binding to " + bind + " without TLS exposes tokens and messages: give "
                    + "--tls-cert and --tls-key, or --behind-tls-proxy if a TLS proxy is in front");
        }
        if (heartbeatInterval.isZero() || heartbeatTimeout.isZero()) {
            throw new ConfigSources.ConfigException("heartbeat interval and timeout must be positive");
        }
        ServerConfig.MetricsAuth metricsAuthChoice = switch (metricsAuth.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> ServerConfig.MetricsAuth.AUTO;
            case "none" -> ServerConfig.MetricsAuth.NONE;
            case "api-key" -> ServerConfig.MetricsAuth.API_KEY;
            default -> throw new ConfigSources.ConfigException("--metrics-auth must be auto, none or api-key, not '" + metricsAuth + "'");
        };
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new ConfigSources.ConfigException("--log-format must be text or json, not '" + logFormat + "'");
        }
        java.util.List<String> keys = apiKeys == null ? java.util.List.of()
                : apiKeys.stream().map(String::trim).filter(k -> !k.isEmpty()).toList();
        for (String k : keys) {
            if (k.length() < 16) {
                throw new ConfigSources.ConfigException("an --api-key must be at least 16 characters (it guards publishing and disconnecting)");
            }
        }
        if (metricsPort > 65535 || metricsPort < -1) {
            throw new ConfigSources.ConfigException("--metrics-port must be -1 (off) or a port number");
        }
        ClusterConfig cluster = new ClusterConfig(engine, redisUrls, broker == null ? engine : broker, natsUrl);
        if (cluster.problem() != null) {
            throw new ConfigSources.ConfigException(cluster.problem());
        }
        return new ServerConfig().cluster(cluster)
                .bind(bind).port(port).jwtSecret(jwtSecret).allowAnonymous(allowAnonymous).demoTokens(demo)
                .maxFrameBytes(maxFrameBytes).maxQueuedBytes(maxQueuedBytes).maxChannelsPerConnection(maxChannels)
                .heartbeatInterval(heartbeatInterval).heartbeatTimeout(heartbeatTimeout)
                .handshakeTimeout(handshakeTimeout).errorBurstLimit(errorBurstLimit)
                .errorBurstWindow(errorBurstWindow).drainWindow(drainWindow).ioThreads(ioThreads)
                .idempotencyWindow(idempotencyWindow).maxRecover(maxRecover).presenceTtl(presenceTtl)
                .namespaces(sources.namespaces())
                .allowedOrigins(allowedOrigins == null ? java.util.List.of() : allowedOrigins)
                .maxConnectionsPerUser(maxConnectionsPerUser).maxConnectionsPerIp(maxConnectionsPerIp)
                .newConnectionsPerSecondPerIp(newConnectionsPerSecondPerIp).newConnectionsBurstPerIp(newConnectionsBurstPerIp)
                .commandsPerSecond(commandsPerSecond).commandBurst(commandBurst)
                .tls(tlsCert, tlsKey).behindTlsProxy(behindTlsProxy).maxPresenceInfoBytes(maxPresenceInfoBytes)
                .jwtPublicKeys(jwtPublicKeys).jwksUrl(jwksUrl).jwksRefreshInterval(jwksRefreshInterval)
                .jwksMinRefreshInterval(jwksMinRefreshInterval).jwtIssuer(jwtIssuer).jwtAudiences(jwtAudiences)
                .apiKeys(keys).apiMaxBodyBytes(apiMaxBodyBytes).metricsPort(metricsPort).metricsBind(metricsBind)
                .metricsAuth(metricsAuthChoice).nodeName(nodeName);
    }

    @Override
    public Integer call() throws Exception {
        sources.checkFileKeys(spec.options());
        ServerConfig cfg = toServerConfig();
        if (printConfig) {
            printConfig(System.out);
            return 0;
        }
        if (logFormat.equals("json")) {
            LogFormat.useJson();
        }
        SwitchboardServer server = new SwitchboardServer(cfg).start();
        System.out.println(Banner.text(server));
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable drainAndExit = () -> {
            log.info("shutdown requested: draining");
            server.shutdown();
            stopped.countDown();
        };
        Signals.onTermination(drainAndExit);
        if (server.tls() != null) {
            Signals.onHangup(server.tls()::reload);
        }
        stopped.await();
        log.info("stopped");
        return 0;
    }

    private void printConfig(PrintStream out) {
        out.println("# effective configuration (source after each value)");
        for (OptionSpec o : spec.options()) {
            String name = ConfigSources.bareName(o);
            if (o.usageHelp() || o.versionHelp() || name.equals("print-config") || name.equals("config")) {
                continue;
            }
            Object value = o.getValue();
            String shown;
            if (value == null) {
                shown = "";
            } else if (name.contains("secret") || name.contains("password") || name.contains("key")) {
                shown = "'********'";
            } else if (name.endsWith("-url")) {
                shown = io.switchboard.server.engine.redis.RedisEngine.masked(value.toString());
            } else if (value instanceof Duration d) {
                shown = DurationConverter.format(d);
            } else {
                shown = value.toString();
            }
            boolean matched = spec.commandLine().getParseResult().hasMatchedOption(o);
            out.printf("%s: %s    # %s%n", name, shown, sources.describe(sources.sourceOf(o, matched), o));
        }
        out.println("namespaces:    # YAML only");
        for (io.switchboard.server.config.NamespaceConfig ns : sources.namespaces().all()) {
            out.println(NamespacesYaml.describe(ns));
        }
        if (jwtSecret == null || jwtSecret.isEmpty()) {
            out.println("# jwt-secret is unset: a random secret is generated at start-up");
        }
        out.println("# switchboard " + Version.get());
    }
}
