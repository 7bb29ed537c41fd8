package io.switchboard.server.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.protocol.CloseCode;
import io.switchboard.server.Version;
import io.switchboard.server.auth.JwtAuthenticator;
import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.api.ApiKeys;
import io.switchboard.server.api.NodeStats;
import io.switchboard.server.api.ServerApi;
import io.switchboard.server.hub.Hub;
import io.switchboard.server.metrics.MeasuredEngine;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.node.Node;
import io.switchboard.server.session.Session;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Switchboard node: binds the port, wires transport, sessions, hub and engine, and drains gracefully.
 * {@link #start()} once, then {@link #shutdown()} (graceful) or {@link #close()} (immediate).
 */
public final class SwitchboardServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SwitchboardServer.class);

    private final ServerConfig config;
    private final Engine engine;
    private final Node.Extensions extensions;
    private NodeStats stats;
    private Channel metricsChannel; // the separate metrics port, if any
    private final byte[] secret;
    private final boolean secretGenerated;
    private Transport transport = Transport.best();
    // Stays closed: a socket accepted while close() runs, whose channel joins after the group was closed, is
    // closed as it joins, not left open past the node's end (TransportIT once saw one on nio).
    private final ChannelGroup allChannels = new DefaultChannelGroup("switchboard", GlobalEventExecutor.INSTANCE, true);
    private Node node;
    private io.switchboard.server.consumer.Consumers consumers = io.switchboard.server.consumer.Consumers.none();
    private HttpRoutes routes;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private int port;
    private TlsContext tls; // null without TLS

    public SwitchboardServer(ServerConfig config) {
        this(config, io.switchboard.server.node.Engines.create(config.cluster()));
    }

    public SwitchboardServer(ServerConfig config, Engine engine) {
        this(config, engine, Node.Extensions.NONE);
    }

    /** A node with what an embedding application brings: its authenticator, hooks and meter registry. */
    public SwitchboardServer(ServerConfig config, Engine engine, Node.Extensions extensions) {
        this.config = config;
        this.engine = engine;
        this.extensions = extensions;
        if (config.jwtSecret() == null || config.jwtSecret().isEmpty()) {
            this.secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            this.secretGenerated = true;
        } else {
            this.secret = config.jwtSecret().getBytes(StandardCharsets.UTF_8);
            this.secretGenerated = false;
        }
    }

    public SwitchboardServer start() throws InterruptedException {
        // The node first: a bad key file must fail start-up before anything is running.
        node = new Node(config, engine, secret, secretGenerated, java.time.Clock.systemUTC(), extensions).start();
        Hub hub = node.hub();
        stats = new NodeStats(node);
        ServerApi api = new ServerApi(node, stats);
        io.switchboard.server.pusher.PusherDoor pusher = io.switchboard.server.pusher.PusherDoor.create(node);
        ApiKeys apiKeys = new ApiKeys(config.apiKeys());
        boolean metricsNeedKey = config.metricsNeedKey();
        // Demo tokens are signed with the HS256 secret; a node that verifies only public keys would refuse them.
        boolean secretAccepted = !secretGenerated || (config.jwt().publicKeys().isEmpty() && config.jwt().jwksUrl() == null);
        routes = new HttpRoutes(engine, new TokenMinter(secret), config.demoTokensEnabled() && secretAccepted);
        routes.consumers(() -> consumers.status());
        stats.consumers(() -> consumers.status());
        if (config.tls().enabled()) {
            try {
                tls = new TlsContext(config.tls().cert(), config.tls().key());
            } catch (javax.net.ssl.SSLException | RuntimeException e) {
                throw new IllegalStateException("cannot load the TLS certificate or key: " + e.getMessage(), e);
            }
        }
        TlsContext tlsAtStart = tls;
        OriginPolicy origins = new OriginPolicy(config.allowedOrigins());
        ConnectionLimits limits = new ConnectionLimits(config);
        io.switchboard.server.deflate.PerMessageDeflate deflate = new io.switchboard.server.deflate.PerMessageDeflate(
                config.compression(), config.maxFrameBytes(), node.metrics().compression());
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        transport = Transport.of(config.transport());
        bossGroup = transport.newGroup(1, "switchboard-accept");
        workerGroup = transport.newGroup(threads, "switchboard-io");
        long handshakeMillis = config.handshakeTimeout().toMillis();
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                // receive-buffer sizing without Netty's 112 bytes per connection: epoll and NIO share one per loop
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, LeanRecvAllocator.forTransport(transport))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SharedAddresses.share(ch); // before anything reads them: one object per equal address
                        allChannels.add(ch);
                        // Before TLS: a PROXY header precedes the TLS handshake on the wire.
                        ch.pipeline().addLast("proxy-gate", new ProxyProtocolGate(config.proxies(), node.metrics()));
                        if (tlsAtStart != null) {
                            ch.pipeline().addLast("tls", tlsAtStart.current().newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec(4096, 8192, 8192))
                                .addLast("http-gate", new HttpGate(apiKeys, metricsNeedKey, node.metrics(), pusher != null))
                                .addLast("http-aggregate", new HttpObjectAggregator(Math.max(HttpGate.SMALL_BODY, config.apiMaxBodyBytes())))
                                .addLast("handshake-deadline", new HandshakeDeadline(handshakeMillis))
                                .addLast("http-routes", new HttpRequestHandler(node, routes, origins, limits, api, stats, pusher, deflate, allChannels));
                    }
                });
        io.netty.channel.ChannelFuture bound = b.bind(config.bind(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            engine.close();
            Throwable cause = bound.cause();
            throw new IllegalStateException("cannot listen on " + config.bind() + ":" + config.port() + ": "
                    + PortCheck.why(cause.getMessage()), cause);
        }
        serverChannel = bound.channel();
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        // One task for the whole node renews every session's presence well inside the TTL, and once more as
        // soon as the engine reconnects after an outage (so that entries do not expire behind it).
        long refreshMillis = Math.max(100, config.presenceTtl().toMillis() / 3);
        hub.onReconnected(() -> workerGroup.next().execute(() -> {
            try {
                node.renewPresence();
            } catch (RuntimeException e) {
                log.warn("presence renewal after the engine reconnected failed", e);
            }
        }));
        workerGroup.next().scheduleAtFixedRate(() -> {
            // An exception would cancel this task for good (and presence would expire): log and go on.
            try {
                node.renewPresence();
                limits.sweep();
            } catch (RuntimeException e) {
                log.warn("periodic presence refresh or limits sweep failed", e);
            }
        }, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
        // Once a second: the stats the admin page charts and /api/info reports.
        workerGroup.next().scheduleAtFixedRate(() -> {
            try {
                stats.sample();
            } catch (RuntimeException e) {
                log.warn("stats sampling failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        if (config.metricsPort() >= 0) {
            try {
                metricsChannel = MetricsServer.bind(bossGroup, workerGroup, transport, config.metricsBind(), config.metricsPort(), node.metrics());
            } catch (RuntimeException e) {
                close(); // the main port is bound already: give it, the event loops and the engine back
                throw e;
            }
        }
        if (tls != null) {
            // New certificate files are picked up without a restart (SIGHUP reloads at once).
            workerGroup.next().scheduleWithFixedDelay(tls::reloadIfChanged, 2, 2, TimeUnit.SECONDS);
        }
        log.info("listening on {}:{} ({}, {} I/O threads, engine {})", config.bind(), port, transport, threads, engine.name());
        // Front doors that read rows and records (docs/consumers.md): started once the node serves.
        consumers = io.switchboard.server.consumer.Consumers.start(node);
        return this;
    }

    public int port() {
        return port;
    }

    /** The separate metrics port, or -1 when {@code /metrics} is served on the main port. */
    public int metricsPort() {
        return metricsChannel == null ? -1 : ((InetSocketAddress) metricsChannel.localAddress()).getPort();
    }

    public Metrics metrics() {
        return node.metrics();
    }

    /** The node behind the sockets (its channel service, connections, hub). */
    public Node node() {
        return node;
    }

    /** This node's id in node info. */
    public String nodeId() {
        return node.nodeId();
    }

    public ServerConfig config() {
        return config;
    }

    public Transport transport() {
        return transport;
    }

    public Engine engine() {
        return engine;
    }

    /** The HS256 secret in force: the configured one, or one generated for this run. */
    public byte[] jwtSecret() {
        return secret.clone();
    }

    public boolean secretGenerated() {
        return secretGenerated;
    }

    /** The TLS setup, or null when the node speaks plain WS/HTTP. */
    public TlsContext tls() {
        return tls;
    }

    public int sessionCount() {
        return node == null ? 0 : node.connections().size();
    }

    public Hub hub() {
        return node.hub();
    }

    /** The node's outbox and Kafka consumers (none unless configured). */
    public io.switchboard.server.consumer.Consumers consumers() {
        return consumers;
    }

    /**
     * Graceful shutdown: stop accepting sessions (new upgrades are refused with 1001; the port stays open
     * so probes can read {@code /readyz}, now 503), close every session with 1001 at a random moment
     * within the drain window (so clients do not all reconnect at once), wait for them to go, then stop.
     * Blocks until done.
     */
    public void shutdown() {
        if (serverChannel == null) {
            return;
        }
        routes.startDraining();
        long window = config.drainWindow().toMillis();
        int n = node.connections().size();
        log.info("draining {} sessions over {} ms", n, window);
        node.connections().forEach(c -> {
            long delay = window <= 0 ? 0 : ThreadLocalRandom.current().nextLong(window);
            workerGroup.schedule(() -> c.close(CloseCode.GOING_AWAY), delay, TimeUnit.MILLISECONDS);
        });
        long deadline = System.currentTimeMillis() + window + 3000;
        while (!node.connections().isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    /** Immediate stop: closes every connection without a drain. */
    @Override
    public void close() {
        consumers.close();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (metricsChannel != null) {
            metricsChannel.close().syncUninterruptibly();
            metricsChannel = null;
        }
        // Upgraded connections left the set of channels (it would cost each an entry): they are the node's.
        if (node != null) {
            node.connections().forEach(io.switchboard.server.node.Connection::abort);
        }
        allChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (node != null) {
            node.close();
        } else {
            engine.close();
        }
        serverChannel = null;
    }
}
