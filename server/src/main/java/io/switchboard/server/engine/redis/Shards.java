package io.switchboard.server.engine.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.switchboard.server.config.ClusterConfig;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis servers an engine spreads its channels over ({@code --redis-url} given once or more), with
 * one command connection each, the Lettuce resources they share and the engine's timer. A channel lives
 * on the shard a stable hash of its name picks; control messages and the node list live on the first.
 * A shard is a standalone server, a Sentinel-managed primary, or a whole Redis Cluster (then the only
 * shard: the cluster spreads the channels over its nodes by hash slot).
 * Connections are opened in the background and retried with backoff while Redis cannot be reached.
 */
final class Shards implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Shards.class);

    /** Lettuce's switch for its io_uring transport, read once when Lettuce first looks for transports. */
    static final String LETTUCE_IO_URING = "io.lettuce.core.iouring";

    static {
        // The node ships Netty's io_uring transport (--transport io_uring) beside epoll. Lettuce would pick
        // epoll anyway, but says so at WARN for every client it builds; telling it not to look at io_uring
        // keeps its choice and drops the line. A value the operator set stays.
        if (System.getProperty(LETTUCE_IO_URING) == null) {
            System.setProperty(LETTUCE_IO_URING, "false");
        }
    }

    /**
     * One Redis: a standalone server, a Sentinel-managed primary (Lettuce asks the Sentinels where the
     * primary is on every (re)connection) or a whole Redis Cluster. Its client, its command connection and
     * how to open that and a pub/sub connection; callers see only what every mode shares.
     */
    static final class Shard {
        final String name;
        final AbstractRedisClient client;
        private final Supplier<CompletableFuture<Commands>> openCommands;
        private final Supplier<CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>>> openPubSub;
        // A Redis Cluster or a Sentinel-managed primary: the command connection is a handle over connections
        // to the nodes (or to whichever is the primary now), which the client's listener sees instead.
        private final boolean routed;
        volatile Commands cmd;
        // System.nanoTime() of the latest (re)connection of any connection to this server; 0 before the first.
        volatile long connectedAtNanos;

        private Shard(String name, AbstractRedisClient client, Supplier<CompletableFuture<Commands>> openCommands,
                      Supplier<CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>>> openPubSub,
                      boolean routed) {
            this.name = name;
            this.client = client;
            this.openCommands = openCommands;
            this.openPubSub = openPubSub;
            this.routed = routed;
        }

        /**
         * Whether a connection of this shard's client that has just (re)connected carries commands: the
         * command connection itself, or behind a routed handle any connection but pub/sub ones (this counts
         * the short-lived ones of a topology refresh or Sentinel lookup too, which happen only on
         * redirections, failovers and reconnects, when renewing this node's presence entries is due anyway).
         */
        boolean carriesCommands(RedisChannelHandler<?, ?> connection) {
            Commands c = cmd;
            return c != null && (routed ? !(connection instanceof StatefulRedisPubSubConnection) : connection == c.connection());
        }

        /** Opens a pub/sub connection: to the server, the current primary, or one node of the cluster. */
        CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> connectPubSub() {
            return openPubSub.get();
        }

        /** Whether this node may remove other connections' overdue presence entries on this shard now. */
        boolean maySweep() {
            long at = connectedAtNanos;
            return at != 0 && System.nanoTime() - at > RedisEngine.PRESENCE_SWEEP_GRACE.toNanos();
        }
    }

    /**
     * A command connection and its asynchronous commands. Standalone and cluster connections differ in type
     * but share {@link RedisClusterAsyncCommands}; a cluster's routes each command by its key's slot
     * (and splits a multi-key MGET by slot).
     */
    record Commands(StatefulConnection<byte[], byte[]> connection, RedisClusterAsyncCommands<byte[], byte[]> async) {
    }

    final List<Shard> all = new ArrayList<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchboard-redis-timer");
        t.setDaemon(true);
        return t;
    });
    private final ClientResources resources = DefaultClientResources.builder()
            .ioThreadPoolSize(2).computationThreadPoolSize(2)
            .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
            .build();
    private volatile boolean closed;
    private volatile Runnable onCommandsReconnected = () -> { };

    /** @param urls {@code redis://}, {@code rediss://} and {@code redis-sentinel://} URLs, or one {@code redis-cluster://} */
    Shards(List<String> urls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("the Redis engine needs at least one --redis-url");
        }
        try {
            for (String url : urls) {
                Shard shard = url.startsWith(ClusterConfig.REDIS_CLUSTER) ? cluster(url) : server(url);
                shard.client.addListener(new RedisConnectionStateListener() {
                    @Override
                    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                        shard.connectedAtNanos = System.nanoTime();
                        if (shard.carriesCommands(connection)) {
                            // A command connection came back (cmd is only set once it first connected).
                            onCommandsReconnected.run();
                        }
                    }
                });
                all.add(shard);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static final SocketOptions SOCKET = SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build();
    private static final TimeoutOptions TIMEOUT = TimeoutOptions.enabled(Duration.ofSeconds(5));

    /**
     * A standalone server, or a Sentinel-managed primary ({@code redis-sentinel://…#master}, Lettuce's own
     * scheme). For the latter the commands go through Lettuce's {@link MasterReplica} connection, which
     * follows the Sentinels' {@code +switch-master} announcements: after a failover that left the old primary
     * running, writes move to the new primary at once, rather than going on to the old one (which accepts
     * them until the Sentinels demote it, seconds later, and then discards them as it resyncs as a replica).
     * Pub/sub connects to the primary the Sentinels name; when the Sentinels demote the old primary they close
     * its clients, and Lettuce reconnects to the new one and subscribes again.
     */
    private Shard server(String url) {
        RedisURI uri = parse(url);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While Redis is away, calls fail at once (the client gets `unavailable` and may retry)
                // instead of queueing up behind a connection that may not come back soon.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SOCKET).timeoutOptions(TIMEOUT).build());
        boolean sentinel = !uri.getSentinels().isEmpty();
        return new Shard(RedisEngine.masked(url), client,
                () -> (sentinel ? MasterReplica.connectAsync(client, ByteArrayCodec.INSTANCE, uri)
                        : client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture())
                        .thenApply(c -> new Commands(c, c.async())),
                () -> client.connectPubSubAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture(),
                sentinel);
    }

    /**
     * A Redis Cluster ({@code redis-cluster://[[user]:password@]host:port[,host:port...]}, our scheme): the
     * seed nodes become Lettuce {@link RedisClusterClient} URIs, which learns the rest of the cluster and
     * follows its slot map, refreshed when a command is redirected (MOVED/ASK) or a node connection keeps
     * failing, e.g. after a failover.
     */
    private Shard cluster(String url) {
        String rest = url.substring(ClusterConfig.REDIS_CLUSTER.length());
        int at = rest.lastIndexOf('@');
        String auth = at < 0 ? "" : rest.substring(0, at + 1);
        List<RedisURI> seeds = new ArrayList<>();
        for (String hostPort : rest.substring(at + 1).split(",")) {
            seeds.add(parse("redis://" + auth + hostPort));
        }
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SOCKET).timeoutOptions(TIMEOUT)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build());
        // Lettuce opens cluster connections only once it has read the slot map (the sync connect reads it
        // on the caller's thread); each attempt reads it first, without blocking.
        return new Shard(RedisEngine.masked(url), client,
                () -> client.refreshPartitionsAsync().toCompletableFuture()
                        .thenCompose(x -> client.connectAsync(ByteArrayCodec.INSTANCE))
                        .thenCompose(c -> connectPrimaries(client, c).thenApply(x -> new Commands(c, c.async()))),
                () -> client.refreshPartitionsAsync().toCompletableFuture()
                        .thenCompose(x -> client.connectPubSubAsync(ByteArrayCodec.INSTANCE)).thenApply(c -> c),
                true);
    }

    /**
     * Opens the cluster connection's connections to every primary now. Lettuce opens them on first use, and
     * with {@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS} it rejects a command whose node
     * connection is still being opened: the first calls to each node would fail for nothing.
     */
    private static CompletableFuture<Void> connectPrimaries(RedisClusterClient client,
                                                            StatefulRedisClusterConnection<byte[], byte[]> c) {
        return CompletableFuture.allOf(client.getPartitions().stream()
                .filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM))
                .map(n -> c.getConnectionAsync(n.getUri().getHost(), n.getUri().getPort(), ConnectionIntent.WRITE))
                .toArray(CompletableFuture[]::new));
    }

    private static RedisURI parse(String url) {
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad Redis URL " + RedisEngine.masked(url) + ": " + e.getMessage(), e);
        }
    }

    /** What to run when a command connection comes back after it was lost (any thread). */
    void onCommandsReconnected(Runnable r) {
        onCommandsReconnected = r;
    }

    /** Opens every shard's command connection in the background. */
    void connect() {
        for (Shard s : all) {
            retrying(s, "commands", s.openCommands, c -> s.cmd = c);
        }
    }

    /**
     * Opens one connection to {@code s}, retrying with backoff (at most 2 s apart) while Redis cannot be
     * reached; {@code connected} gets it once it is open. Lettuce reconnects it by itself after that.
     */
    <T> void retrying(Shard s, String what, Supplier<CompletableFuture<T>> open, java.util.function.Consumer<T> connected) {
        attempt(s, what, open, connected, 0);
    }

    private <T> void attempt(Shard s, String what, Supplier<CompletableFuture<T>> open, java.util.function.Consumer<T> connected,
                             int attempt) {
        if (closed) {
            return;
        }
        open.get().whenComplete((c, failure) -> {
            if (failure == null) {
                connected.accept(c);
                log.info("connected to Redis at {} ({}){}", s.name, what, attempt > 0 ? " after " + attempt + " retries" : "");
                return;
            }
            if (attempt == 0 || attempt % 20 == 0) {
                log.warn("Redis at {} is unreachable ({}); the node is not ready (/readyz 503) and keeps trying, "
                        + "at most 2 s apart", s.name, rootMessage(failure));
            }
            later(() -> attempt(s, what, open, connected, attempt + 1), Math.min(2000, 100L << Math.min(attempt, 5)));
        });
    }

    /** The shard of a channel: a stable hash of its name, the same on every node given the same URLs in the same order. */
    Shard forChannel(String channel) {
        if (all.size() == 1) {
            return all.get(0);
        }
        CRC32 crc = new CRC32();
        crc.update(channel.getBytes(StandardCharsets.UTF_8));
        return all.get((int) (crc.getValue() % all.size()));
    }

    Shard first() {
        return all.get(0);
    }

    /** The shard's asynchronous commands, or a failed future while its command connection is not open. */
    static CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> commands(Shard s) {
        Commands c = s.cmd;
        if (c == null || !c.connection().isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis at " + s.name + " is unavailable"));
        }
        return CompletableFuture.completedFuture(c.async());
    }

    /** True while every command connection is open. */
    boolean commandsOpen() {
        for (Shard s : all) {
            Commands c = s.cmd;
            if (c == null || !c.connection().isOpen()) {
                return false;
            }
        }
        return true;
    }

    /** Runs a task on the timer after a delay; dropped once closed. */
    void later(Runnable task, long delayMillis) {
        if (closed) {
            return;
        }
        try {
            timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Redis connections closed; dropped a scheduled task");
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        for (Shard s : all) {
            try {
                // The connection first: a cluster connection closes its node connections, which the client
                // would otherwise close again (Lettuce warns "Connection is already closed" for each).
                Commands c = s.cmd;
                if (c != null) {
                    c.connection().close();
                }
                s.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                log.debug("closing the Redis client for {}", s.name, e);
            }
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
