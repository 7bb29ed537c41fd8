package io.switchboard.server.engine.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live delivery over Redis pub/sub: one pub/sub connection per shard, on which this node subscribes to the
 * channels it has subscribers for. On a Redis Cluster that is one connection to one of its nodes: classic
 * PUBLISH reaches every node's subscribers, whichever node a script ran on. The engine's scripts PUBLISH each message in the same step that stores it
 * ({@link #scriptChannel}), so every node sees one channel's messages in offset order, and {@link #publish}
 * has nothing left to do. Control messages travel on one Redis channel of the first shard.
 */
final class RedisPubSubBroker implements LiveBroker {

    private static final Logger log = LoggerFactory.getLogger(RedisPubSubBroker.class);
    private static final String PREFIX = "sb:p:";
    private static final byte[] CONTROL = "sb:control".getBytes(StandardCharsets.UTF_8);

    private final Shards shards;
    // Shard -> its pub/sub connection, once open.
    private final Map<Shards.Shard, StatefulRedisPubSubConnection<byte[], byte[]>> connections = new ConcurrentHashMap<>();
    // channel -> subscribe confirmations seen (a later one is Lettuce subscribing again after a lost connection).
    private final Map<String, Integer> confirmations = new ConcurrentHashMap<>();
    // Channels this node wants now; an UNSUBSCRIBE confirmed after a new SUBSCRIBE must not reset its count.
    private final java.util.Set<String> wanted = ConcurrentHashMap.newKeySet();
    private volatile Receiver receiver;
    // True once Redis confirmed the control subscription.
    private volatile boolean controlLive;

    RedisPubSubBroker(Shards shards) {
        this.shards = shards;
    }

    @Override
    public CompletableFuture<Void> start(Receiver receiver) {
        this.receiver = receiver;
        for (Shards.Shard s : shards.all) {
            shards.retrying(s, "pub/sub", s::connectPubSub, ps -> opened(s, ps));
        }
        return CompletableFuture.completedFuture(null);
    }

    private void opened(Shards.Shard s, StatefulRedisPubSubConnection<byte[], byte[]> ps) {
        ps.addListener(new Listener());
        connections.put(s, ps);
        if (s == shards.first()) {
            ps.async().subscribe(CONTROL).whenComplete((ok, failure) -> {
                if (failure == null) {
                    controlLive = true;
                } else {
                    log.warn("could not subscribe to control messages on Redis at {}: {}", s.name, failure.toString());
                }
            });
        }
    }

    static byte[] key(String channel) {
        return (PREFIX + channel).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] scriptChannel(String channel) {
        return key(channel);
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        Shards.Shard s = shards.forChannel(channel);
        wanted.add(channel);
        confirmations.put(channel, 0);
        StatefulRedisPubSubConnection<byte[], byte[]> ps = connections.get(s);
        if (ps == null || !ps.isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis at " + s.name + " is unavailable"));
        }
        return ps.async().subscribe(key(channel)).toCompletableFuture();
    }

    @Override
    public void unsubscribe(String channel) {
        wanted.remove(channel);
        StatefulRedisPubSubConnection<byte[], byte[]> ps = connections.get(shards.forChannel(channel));
        if (ps != null && ps.isOpen()) {
            ps.async().unsubscribe(key(channel));
        }
    }

    /** Nothing to do: the script that stored the message published it. */
    @Override
    public CompletableFuture<Void> publish(String channel, byte[] message) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> publishControl(byte[] message) {
        return Shards.commands(shards.first()).thenCompose(c -> c.publish(CONTROL, message).toCompletableFuture())
                .thenApply(x -> null);
    }

    @Override
    public boolean isReady() {
        if (!controlLive) {
            return false;
        }
        for (Shards.Shard s : shards.all) {
            StatefulRedisPubSubConnection<byte[], byte[]> ps = connections.get(s);
            if (ps == null || !ps.isOpen()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String name() {
        return "redis";
    }

    /** Closes the pub/sub connections (before the engine shuts the shards' clients down). */
    @Override
    public void close() {
        connections.values().forEach(StatefulRedisPubSubConnection::close);
    }

    private final class Listener extends RedisPubSubAdapter<byte[], byte[]> {

        @Override
        public void message(byte[] redisChannel, byte[] message) {
            Receiver r = receiver;
            if (Arrays.equals(redisChannel, CONTROL)) {
                r.onControl(message);
                return;
            }
            String name = new String(redisChannel, StandardCharsets.UTF_8);
            if (name.startsWith(PREFIX)) {
                r.onMessage(name.substring(PREFIX.length()), message);
            }
        }

        @Override
        public void subscribed(byte[] redisChannel, long count) {
            String name = new String(redisChannel, StandardCharsets.UTF_8);
            if (!name.startsWith(PREFIX)) {
                return;
            }
            // The first confirmation belongs to subscribe(); later ones are Lettuce subscribing again after a
            // lost connection, when the channel's feed must fetch what it missed.
            String channel = name.substring(PREFIX.length());
            Integer seen = confirmations.computeIfPresent(channel, (c, n) -> n + 1);
            if (seen != null && seen > 1) {
                log.info("Redis subscription to {} restored; repairing any gap", channel);
                receiver.onRestored(channel);
            }
        }

        @Override
        public void unsubscribed(byte[] redisChannel, long count) {
            String name = new String(redisChannel, StandardCharsets.UTF_8);
            if (name.startsWith(PREFIX) && !wanted.contains(name.substring(PREFIX.length()))) {
                confirmations.remove(name.substring(PREFIX.length()));
            }
        }
    }
}
