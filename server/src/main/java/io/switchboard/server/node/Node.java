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
    private final Metrics metrics = new Metrics();
    private final Connections connections = new Connections();
    private final String nodeId;
    private final String serverVersion = Version.get();
    private final long startedAt = System.currentTimeMillis();
    private JwtAuthenticator authenticator; // owns the JWKS refresher, if any
    private Hub hub;
    private ChannelService channels;
    private ClusterBus cluster;
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
        // The rules that involve several options hold for every node, not only one started by the CLI.
        this.config = config.checkCombinations();
        this.engine = engine;
        this.secret = secret.clone();
        this.secretGenerated = secretGenerated;
        this.nodeId = config.nodeName() != null ? config.nodeName() : newSessionId().substring(0, 8);
    }

    /** Builds the pieces and starts the engine; a bad key file fails here, before anything is running. */
    public Node start() {
        authenticator = JwtAuthenticator.create(config, secret, secretGenerated);
        Engine measured = new MeasuredEngine(engine, metrics);
        hub = new Hub(measured, measured, PooledByteBufAllocator.DEFAULT, config.namespaces(), metrics, presenceTimer,
                config.maxFrameBytes() - ChannelService.PUSH_OVERHEAD_BYTES);
        cluster = measured;
        channels = new ChannelService(config, hub, measured, measured, authenticator, metrics, measured::broadcastControl);
        hub.onControl(message -> {
            try {
                ControlMessages.apply(connections, message);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("ignoring a malformed control message: {}", e.toString());
            }
        });
        metrics.bindNode(connections::size, hub::channelCount);
        engine.start(hub).join();
        return this;
    }

    /** Renews the presence entries of every connection (periodically, and when the engine reconnects). */
    public void renewPresence() {
        connections.forEach(Connection::renewPresence);
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

    /** A random 16-character session id (about 95 bits). */
    public String newSessionId() {
        return io.switchboard.server.util.Ids.random(16);
    }

    @Override
    public void close() {
        presenceTimer.shutdownNow();
        engine.close();
        metrics.close();
        if (authenticator != null) {
            authenticator.close();
        }
    }
}
