package io.switchboard.server.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
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
 * Connections are opened in the background and retried with backoff while Redis cannot be reached.
 */
final class Shards implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Shards.class);

    /** One Redis server: its client and its command connection. */
    static final class Shard {
        final String name;
        final RedisURI uri;
        final RedisClient client;
        volatile StatefulRedisConnection<byte[], byte[]> cmd;
        // System.nanoTime() of the latest (re)connection of any connection to this server; 0 before the first.
        volatile long connectedAtNanos;

        Shard(String name, RedisURI uri, RedisClient client) {
            this.name = name;
            this.uri = uri;
            this.client = client;
        }

        /** Whether this node may remove other connections' overdue presence entries on this shard now. */
        boolean maySweep() {
            long at = connectedAtNanos;
            return at != 0 && System.nanoTime() - at > RedisEngine.PRESENCE_SWEEP_GRACE.toNanos();
        }
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

    Shards(List<String> urls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("the Redis engine needs at least one --redis-url");
        }
        for (String url : urls) {
            RedisURI uri;
            try {
                uri = RedisURI.create(url);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad Redis URL " + RedisEngine.masked(url) + ": " + e.getMessage(), e);
            }
            RedisClient client = RedisClient.create(resources, uri);
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    // While Redis is away, calls fail at once (the client gets `unavailable` and may retry)
                    // instead of queueing up behind a connection that may not come back soon.
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                    .build());
            Shard shard = new Shard(RedisEngine.masked(url), uri, client);
            client.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                    shard.connectedAtNanos = System.nanoTime();
                    if (connection == shard.cmd) {
                        // The command connection came back (it is only set once it first connected).
                        onCommandsReconnected.run();
                    }
                }
            });
            all.add(shard);
        }
    }

    /** What to run when a command connection comes back after it was lost (any thread). */
    void onCommandsReconnected(Runnable r) {
        onCommandsReconnected = r;
    }

    /** Opens every shard's command connection in the background. */
    void connect() {
        for (Shard s : all) {
            retrying(s, "commands", () -> s.client.connectAsync(ByteArrayCodec.INSTANCE, s.uri).toCompletableFuture(),
                    c -> s.cmd = c);
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

    /** The shard's command connection, or a failed future while it is not open. */
    static CompletableFuture<StatefulRedisConnection<byte[], byte[]>> commands(Shard s) {
        StatefulRedisConnection<byte[], byte[]> c = s.cmd;
        if (c == null || !c.isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis at " + s.name + " is unavailable"));
        }
        return CompletableFuture.completedFuture(c);
    }

    /** True while every command connection is open. */
    boolean commandsOpen() {
        for (Shard s : all) {
            StatefulRedisConnection<byte[], byte[]> c = s.cmd;
            if (c == null || !c.isOpen()) {
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
                s.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                log.debug("closing the Redis client for {}", s.name, e);
            }
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
