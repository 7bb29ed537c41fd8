package io.switchboard.server.node;

import io.netty.buffer.PooledByteBufAllocator;
import io.switchboard.server.Version;
import io.switchboard.server.auth.Authenticator;
import io.switchboard.server.auth.JwtAuthenticator;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.ClusterBus;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.hub.Hub;
import io.switchboard.server.metrics.MeasuredEngine;
import io.switchboard.server.metrics.Metrics;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole node apart from its sockets: builds and owns the configuration, the engine, the hub, the
 * authenticator, the metrics, the channel service and the registry of open connections. Every front door
 * (the WebSocket session, the server API, ...) is handed this and calls {@link #channels()} for anything
 * a channel operation means. {@link #start()} once, {@link #close()} once.
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final ServerConfig config;
    private final Engine engine;
    private final byte[] secret;
    private final boolean secretGenerated;
    private final Metrics metrics;
    private final Extensions extensions;
    private final Connections connections = new Connections();
    private final Clock clock;
    // The connections' timers, one heap per event loop (LoopTimers), made by the first connection of each loop.
    private final java.util.concurrent.ConcurrentHashMap<io.netty.channel.EventLoop, io.switchboard.server.util.LoopTimers> timers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final String nodeId;
    private final String serverVersion = Version.get();
    private final long startedAt = System.currentTimeMillis();
    private JwtAuthenticator jwt; // owns the JWKS refresher, if any
    private Authenticator authenticator; // the application's (Extensions), or jwt
    private Hub hub;
    private ChannelService channels;
    private ClusterBus cluster;
    private io.switchboard.server.events.Events events;
    private Hooks hooks = Hooks.NONE; // set in start(): the application's, or the backend's over HTTP (hooks:)
    // Sends the presence windows' pushes (hub.PresenceWindows); one thread, so a channel's pushes stay in order.
    private final java.util.concurrent.ScheduledExecutorService presenceTimer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "switchboard-presence");
                t.setDaemon(true);
                return t;
            });

    /**
     * @param secret          the HS256 secret in force
     * @param secretGenerated true when the secret was generated for this run (no {@code --jwt-secret})
     */
    public Node(ServerConfig config, Engine engine, byte[] secret, boolean secretGenerated) {
        this(config, engine, secret, secretGenerated, Clock.systemUTC());
    }

    /** @param clock what heartbeats, token expiry and the close deadlines are timed by (tests move it) */
    public Node(ServerConfig config, Engine engine, byte[] secret, boolean secretGenerated, Clock clock) {
        this(config, engine, secret, secretGenerated, clock, Extensions.NONE);
    }

    /**
     * What an application that embeds the node puts into it; each part is optional (null: the node's own).
     *
     * @param authenticator replaces the JWT check of handshakes, refreshes and subscription tokens
     * @param hooks         the application's connect, subscribe and publish decisions
     * @param meterRegistry the application's registry: the node's own meters are registered there too
     */
    public record Extensions(Authenticator authenticator, Hooks hooks, io.micrometer.core.instrument.MeterRegistry meterRegistry) {
        public static final Extensions NONE = new Extensions(null, null, null);

        public Hooks hooksOrNone() {
            return hooks == null ? Hooks.NONE : hooks;
        }
    }

    /** A node with the parts an embedding application brings ({@link Extensions}). */
    public Node(ServerConfig config, Engine engine, byte[] secret, boolean secretGenerated, Clock clock, Extensions extensions) {
        this.clock = clock;
        this.extensions = extensions;
        this.metrics = new Metrics(extensions.meterRegistry());
        // The rules that involve several options hold for every node, not only one started by the CLI.
        this.config = config.checkCombinations();
        this.engine = engine;
        this.secret = secret.clone();
        this.secretGenerated = secretGenerated;
        this.nodeId = config.nodeName() != null ? config.nodeName() : io.switchboard.server.util.Ids.random(8);
    }

    /** Builds the pieces and starts the engine; a bad key file fails here, before anything is running. */
    public Node start() {
        jwt = JwtAuthenticator.create(config, secret, secretGenerated);
        authenticator = extensions.authenticator() != null ? extensions.authenticator() : jwt;
        String personal = config.hooks().personalNamespace();
        if (personal != null && config.namespaces().forChannel(personal + ":x") == null) {
            throw new io.switchboard.server.config.InvalidConfigException("hooks.personal-namespace",
                    "names '" + personal + "', which is not a configured namespace");
        }
        hooks = chooseHooks();
        Engine measured = new MeasuredEngine(engine, metrics);
        hub = new Hub(measured, measured, PooledByteBufAllocator.DEFAULT, config.namespaces(), metrics, presenceTimer,
                config.maxFrameBytes() - ChannelService.PUSH_OVERHEAD_BYTES);
        cluster = measured;
        channels = new ChannelService(config, hub, measured, measured, authenticator, metrics, measured::broadcastControl,
                hooks);
        hub.onControl(message -> {
            try {
                ControlMessages.apply(connections, message);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("ignoring a malformed control message: {}", e.toString());
            }
        });
        metrics.bindNode(connections::size, hub::channelCount);
        engine.start(hub).join();
        events = io.switchboard.server.events.Events.create(
                io.switchboard.server.pusher.PusherWebhooks.withApps(config.webhooks(), config.pusherApps()),
                measured, nodeId, metrics.registry());
        connections.events(events);
        channels.events(events);
        events.start();
        return this;
    }

    /** Renews the presence entries of every connection (periodically, and when the engine reconnects). */
    public void renewPresence() {
        connections.forEach(Connection::renewPresence);
    }

    /** The clock sessions time their heartbeats, token expiry and close deadlines by. */
    public Clock clock() {
        return clock;
    }

    /** The timers of the connections of {@code loop}, timed by {@link #clock}; used on that loop only. */
    public io.switchboard.server.util.LoopTimers timers(io.netty.channel.EventLoop loop) {
        io.switchboard.server.util.LoopTimers t = timers.get(loop);
        return t != null ? t : timers.computeIfAbsent(loop, l -> new io.switchboard.server.util.LoopTimers(l, clock, timerGrainMillis()));
    }

    /**
     * The grain of the connections' timers ({@link io.switchboard.server.util.LoopTimers}): 50 ms, or a
     * twentieth of a heartbeat interval shorter than a second, so that a session can send each ping a grain
     * early and still never late (protocol.md, section 7).
     */
    public long timerGrainMillis() {
        return timerGrain(config.heartbeatInterval().toMillis());
    }

    /** {@link #timerGrainMillis} for a heartbeat interval of {@code heartbeatIntervalMillis}. */
    static long timerGrain(long heartbeatIntervalMillis) {
        return Math.max(1, Math.min(io.switchboard.server.util.LoopTimers.NODE_GRAIN_MILLIS, heartbeatIntervalMillis / 20));
    }

    public ServerConfig config() {
        return config;
    }

    public ChannelService channels() {
        return channels;
    }

    public Hub hub() {
        return hub;
    }

    /** The engine as configured (without the metrics wrapper the node's parts use): its readiness and name. */
    public Engine engine() {
        return engine;
    }

    /** What this node tells the others: control messages and its figures. */
    public ClusterBus cluster() {
        return cluster;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /**
     * The application's decisions ({@link Hooks#NONE} without any): an embedding application's, or else the
     * backend's over HTTP as the {@code hooks:} config names them.
     */
    public Hooks hooks() {
        return hooks;
    }

    private Hooks chooseHooks() {
        if (extensions.hooks() != null) {
            if (config.hooks().any()) {
                log.warn("the hooks: section of the config is ignored: the embedding application decides (its own hooks)");
            }
            return extensions.hooks();
        }
        Hooks http = io.switchboard.server.hooks.BackendHooks.http(config.hooks(), metrics.registry(), config.allowAnonymous(),
                config.maxFrameBytes() - ChannelService.PUSH_OVERHEAD_BYTES);
        if (http != null) {
            log.info("hooks: the backend decides {}", config.hooks().hooks().keySet());
            return http;
        }
        return Hooks.NONE;
    }

    /** The backend's events (webhooks): what the node produces, and the dead letters the server API shows. */
    public io.switchboard.server.events.Events events() {
        return events;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Connections connections() {
        return connections;
    }

    /** This node's name in the cluster: {@code --node-name}, or random per run. */
    public String nodeId() {
        return nodeId;
    }

    public String serverVersion() {
        return serverVersion;
    }

    /** Milliseconds since the epoch when the node started. */
    public long startedAt() {
        return startedAt;
    }

    @Override
    public void close() {
        if (events != null) {
            events.close(); // first: it appends what the last closes produced, if the engine still takes it
        }
        presenceTimer.shutdownNow();
        if (hooks instanceof io.switchboard.server.hooks.BackendHooks b) {
            b.close();
        }
        engine.close();
        metrics.close();
        if (jwt != null) {
            jwt.close();
        }
    }
}
