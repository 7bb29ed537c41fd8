package io.switchboard.server.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.engine.StreamOptions;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster engine: history streams, idempotency keys and presence in Redis, shared by every node;
 * live delivery through Redis pub/sub, or through a {@link LiveBroker} (NATS) when one is given.
 *
 * <p>Each publication is one Lua script ({@code publish.lua}): check the idempotency key, take the next
 * offset, append to the channel's stream and (with Redis pub/sub) PUBLISH, atomically, so offsets come
 * in one order for every node, with no hole. A node subscribes in Redis only to channels with local
 * subscribers, and lets go of one a little after its last subscriber left ({@link #UNSUBSCRIBE_DELAY}).
 * Every subscribed channel has a {@link ChannelFeed} that delivers in offset order and fills holes from
 * the stream (after a lost connection, or when the broker reorders).
 *
 * <p>Channels are spread over several Redis servers ({@code --redis-url} given more than once) by a
 * stable hash of the channel name (CRC-32); control messages and the node list live on the first one.
 * Nothing here blocks: every Redis call is asynchronous.
 */
public final class RedisEngine implements Engine {

    private static final Logger log = LoggerFactory.getLogger(RedisEngine.class);
    static final Duration UNSUBSCRIBE_DELAY = Duration.ofSeconds(2);
    private static final Duration PRESENCE_SWEEP = Duration.ofSeconds(1);
    /**
     * How long after (re)connecting to a Redis this node leaves overdue presence entries there alone. After
     * Redis restarts, every node reconnects within Lettuce's reconnect delay (at most 2 s) and renews its own
     * entries at once; sweeping only after this grace keeps one node from announcing another's live
     * connections offline because the other had not renewed yet (issue 12).
     */
    static final Duration PRESENCE_SWEEP_GRACE = Duration.ofSeconds(5);
    private static final String PREFIX = "sb:";
    private static final byte[] CONTROL = bytes(PREFIX + "control");
    private static final char[] ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();

    private final List<Shard> shards = new ArrayList<>();
    private final LiveBroker broker; // null: Redis pub/sub
    private final String nodeId;
    private final ClientResources resources;
    private final ScheduledExecutorService timer;
    private final SecureRandom random = new SecureRandom();
    private final Script publishScript = Script.load("publish.lua");
    private final Script historyScript = Script.load("history.lua");
    private final Script presenceScript = Script.load("presence.lua");
    // channel -> its feed, while this node is subscribed (including a pending delayed unsubscribe).
    private final ConcurrentHashMap<String, ChannelFeed> feeds = new ConcurrentHashMap<>();
    private volatile PublicationSink sink;
    private volatile boolean closed;

    /**
     * @param urls   one or more {@code redis://} URLs; channels are sharded over them
     * @param broker the live-delivery broker, or null for Redis pub/sub
     */
    public RedisEngine(List<String> urls, LiveBroker broker) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("the Redis engine needs at least one --redis-url");
        }
        this.broker = broker;
        this.nodeId = randomId(12);
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        for (String url : urls) {
            RedisURI uri;
            try {
                uri = RedisURI.create(url);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad Redis URL " + masked(url) + ": " + e.getMessage(), e);
            }
            RedisClient client = RedisClient.create(resources, uri);
            Shard shard = new Shard(masked(url), uri, client);
            client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
                    shard.connectedAtNanos = System.nanoTime();
                    PublicationSink to = sink;
                    if (connection == shard.cmd && to != null) {
                        // The command connection came back (it is only set once it first connected): presence
                        // entries may be near their expiry after the outage, so the node renews them now.
                        to.onReconnected();
                    }
                }
            });
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    // While Redis is away, calls fail at once (the client gets `unavailable` and may retry)
                    // instead of queueing up behind a connection that may not come back soon.
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                    .build());
            shards.add(shard);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-redis-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** This node's id in presence entries and the node list. */
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<Void> start(PublicationSink sink) {
        this.sink = sink;
        for (Shard s : shards) {
            connect(s, 0);
        }
        if (broker != null) {
            broker.start(new LiveBroker.Receiver() {
                @Override
                public void onMessage(String channel, byte[] message) {
                    receive(channel, message);
                }

                @Override
                public void onControl(byte[] message) {
                    sink.onControl(message);
                }

                @Override
                public void onReconnected() {
                    feeds.values().forEach(ChannelFeed::catchUp);
                }
            });
        }
        long sweep = PRESENCE_SWEEP.toMillis();
        timer.scheduleWithFixedDelay(this::sweepPresence, sweep, sweep, TimeUnit.MILLISECONDS);
        // Start-up does not wait for Redis: the node serves /readyz (503 engine_unavailable) until it is there.
        return CompletableFuture.completedFuture(null);
    }

    /** Opens the shard's two connections, retrying with backoff while Redis cannot be reached. */
    private void connect(Shard s, int attempt) {
        if (closed) {
            return;
        }
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> cmd = s.cmd != null
                ? CompletableFuture.completedFuture(s.cmd)
                : s.client.connectAsync(ByteArrayCodec.INSTANCE, s.uri).toCompletableFuture();
        cmd.thenCompose(c -> {
            s.cmd = c;
            return s.pubsub != null ? CompletableFuture.completedFuture(s.pubsub)
                    : s.client.connectPubSubAsync(ByteArrayCodec.INSTANCE, s.uri).toCompletableFuture();
        }).whenComplete((ps, failure) -> {
            if (failure != null) {
                long delay = Math.min(2000, 100L << Math.min(attempt, 5));
                if (attempt == 0 || attempt % 20 == 0) {
                    log.warn("Redis at {} is unreachable ({}); the node is not ready (/readyz 503) and keeps trying, "
                            + "at most 2 s apart", s.name, rootMessage(failure));
                }
                if (!closed) {
                    timer.schedule(() -> connect(s, attempt + 1), delay, TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (s.pubsub == null) {
                s.pubsub = ps;
                ps.addListener(new Listener(s));
                if (broker == null && s == shards.get(0)) {
                    ps.async().subscribe(CONTROL);
                }
            }
            log.info("connected to Redis at {}{}", s.name, attempt > 0 ? " after " + attempt + " retries" : "");
        });
    }

    // ---- publish ---------------------------------------------------------------------------------

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest req) {
        String ch = req.channel();
        Shard s = shardFor(ch);
        StreamOptions so = req.stream();
        String idem = req.idempotencyKey() == null ? "-" : PREFIX + "i:" + ch + '\0' + (req.from() == null ? "" : req.from())
                + '\0' + req.idempotencyKey();
        long window = req.idempotencyKey() == null ? 0 : Math.max(1, req.idempotencyWindow().toMillis());
        byte[][] keys = {key("m:", ch), key("s:", ch), bytes(idem)};
        byte[][] args = {
                bytes(so == null ? "0" : "1"), bytes(newEpoch()),
                bytes(Integer.toString(so == null ? 0 : so.size())),
                bytes(Long.toString(so == null ? 1 : Math.max(1, so.streamTtl().toMillis()))),
                bytes(Long.toString(window)),
                broker == null ? key("p:", ch) : new byte[0],
                Wire.body(req.from(), req.clientId(), req.payload())};
        return eval(s, publishScript, keys, args).thenCompose(out -> {
            List<?> r = (List<?>) out;
            byte[] value = (byte[]) r.get(1);
            if (((Long) r.get(0)) == 0L) {
                String[] seen = new String(value, StandardCharsets.UTF_8).split("\n", -1);
                long offset = Long.parseLong(seen[0]);
                return CompletableFuture.completedFuture(seen[1].isEmpty() ? PublishResult.NO_POSITION
                        : new PublishResult(offset, seen[1]));
            }
            Publication p = Wire.publication(ch, value);
            PublishResult result = p.hasPosition() ? new PublishResult(p.offset(), p.epoch()) : PublishResult.NO_POSITION;
            if (broker == null) {
                return CompletableFuture.completedFuture(result);
            }
            // Stored first, then sent: a node that sees a later offset before this one reads it from the stream.
            return broker.publish(ch, value).thenApply(x -> result);
        });
    }

    // ---- subscriptions and live delivery -----------------------------------------------------------

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        boolean[] created = {false};
        ChannelFeed feed = feeds.compute(channel, (c, existing) -> {
            if (existing != null) {
                synchronized (existing) {
                    existing.wanted = true;
                }
                return existing;
            }
            created[0] = true;
            return new ChannelFeed(c, sink, (after, limit) -> read(c, after, limit, false), this::later);
        });
        if (created[0]) {
            CompletableFuture<Void> listening;
            if (broker != null) {
                listening = broker.subscribe(channel);
            } else {
                Shard s = shardFor(channel);
                s.confirmations.put(channel, 0);
                StatefulRedisPubSubConnection<byte[], byte[]> ps = s.pubsub;
                listening = ps == null || !ps.isOpen()
                        ? CompletableFuture.failedFuture(new IllegalStateException("Redis at " + s.name + " is unavailable"))
                        : ps.async().subscribe(key("p:", channel)).toCompletableFuture();
            }
            // Read the position only once the subscription is live, so nothing falls between the two.
            listening.thenCompose(x -> read(channel, -1, 0, false)).whenComplete((pos, failure) -> {
                if (failure != null) {
                    feeds.remove(channel, feed);
                    feed.close();
                    unlisten(channel);
                    feed.live.completeExceptionally(failure);
                } else {
                    feed.start(pos);
                }
            });
        }
        return feed.live;
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String channel) {
        ChannelFeed feed = feeds.get(channel);
        if (feed == null) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (feed) {
            feed.wanted = false;
        }
        // A channel whose subscribers come and go quickly is not unsubscribed and subscribed again each time.
        // The UNSUBSCRIBE is sent inside compute(), so a SUBSCRIBE for a new feed of the channel goes after it.
        timer.schedule(() -> feeds.computeIfPresent(channel, (c, f) -> {
            synchronized (f) {
                if (f != feed || f.wanted) {
                    return f;
                }
            }
            unlisten(c);
            f.close();
            return null;
        }), UNSUBSCRIBE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        return CompletableFuture.completedFuture(null);
    }

    private void unlisten(String channel) {
        if (broker != null) {
            broker.unsubscribe(channel);
            return;
        }
        StatefulRedisPubSubConnection<byte[], byte[]> ps = shardFor(channel).pubsub;
        if (ps != null && ps.isOpen()) {
            ps.async().unsubscribe(key("p:", channel));
        }
    }

    /** A message from the broker (Redis pub/sub or NATS) for a channel. */
    private void receive(String channel, byte[] msg) {
        ChannelFeed feed = feeds.get(channel);
        if (feed == null) {
            return;
        }
        try {
            if (Wire.isPublication(msg)) {
                feed.onPublication(Wire.publication(channel, msg));
            } else if (Wire.isPresence(msg)) {
                feed.onPresence(Wire.presence(channel, msg));
            }
        } catch (RuntimeException e) {
            log.warn("dropped an unreadable message on channel {}: {}", channel, e.toString());
        }
    }

    private final class Listener extends RedisPubSubAdapter<byte[], byte[]> {
        private final Shard shard;

        Listener(Shard shard) {
            this.shard = shard;
        }

        @Override
        public void message(byte[] redisChannel, byte[] message) {
            if (java.util.Arrays.equals(redisChannel, CONTROL)) {
                sink.onControl(message);
                return;
            }
            String name = new String(redisChannel, StandardCharsets.UTF_8);
            if (name.startsWith(PREFIX + "p:")) {
                receive(name.substring(PREFIX.length() + 2), message);
            }
        }

        @Override
        public void subscribed(byte[] redisChannel, long count) {
            String name = new String(redisChannel, StandardCharsets.UTF_8);
            if (!name.startsWith(PREFIX + "p:")) {
                return;
            }
            // The first confirmation belongs to subscribe(); later ones are Lettuce subscribing again after
            // a lost connection, when the feed must fetch what it missed.
            String channel = name.substring(PREFIX.length() + 2);
            ChannelFeed feed = feeds.get(channel);
            if (feed != null && shard.confirmations.merge(channel, 1, Integer::sum) > 1) {
                log.info("Redis subscription to {} restored; repairing any gap", channel);
                feed.catchUp();
            }
        }

        @Override
        public void unsubscribed(byte[] redisChannel, long count) {
            String name = new String(redisChannel, StandardCharsets.UTF_8);
            if (name.startsWith(PREFIX + "p:")) {
                String channel = name.substring(PREFIX.length() + 2);
                if (!feeds.containsKey(channel)) {
                    shard.confirmations.remove(channel);
                }
            }
        }
    }

    // ---- history --------------------------------------------------------------------------------

    @Override
    public CompletableFuture<HistoryResult> history(String channel, HistoryQuery q, StreamOptions stream) {
        Shard s = shardFor(channel);
        byte[][] keys = {key("m:", channel), key("s:", channel)};
        byte[][] args = {
                bytes(Long.toString(q.after())), bytes(Integer.toString(q.limit())), bytes(q.reverse() ? "1" : "0"),
                bytes(newEpoch()), bytes(Long.toString(stream.ttl().toMillis())),
                bytes(Long.toString(Math.max(1, stream.streamTtl().toMillis()))), bytes("1")};
        return eval(s, historyScript, keys, args).thenApply(out -> historyResult(channel, out));
    }

    /** A read that does not create the stream (epoch "" when there is none); used by the feeds. */
    private CompletableFuture<HistoryResult> read(String channel, long after, int limit, boolean reverse) {
        Shard s = shardFor(channel);
        byte[][] keys = {key("m:", channel), key("s:", channel)};
        byte[][] args = {
                bytes(Long.toString(after)), bytes(Integer.toString(limit)), bytes(reverse ? "1" : "0"),
                bytes(""), bytes(Long.toString(Long.MAX_VALUE / 4)), bytes("1"), bytes("0")};
        return eval(s, historyScript, keys, args).thenApply(out -> historyResult(channel, out));
    }

    private static HistoryResult historyResult(String channel, Object out) {
        List<?> r = (List<?>) out;
        String epoch = new String((byte[]) r.get(0), StandardCharsets.UTF_8);
        long offset = (Long) r.get(1);
        long earliest = (Long) r.get(2);
        List<Publication> pubs = new ArrayList<>();
        for (Object o : (List<?>) r.get(3)) {
            pubs.add(Wire.publication(channel, (byte[]) o));
        }
        return new HistoryResult(epoch, offset, earliest, pubs);
    }

    // ---- presence -------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> presenceJoin(String channel, PresenceEntry entry, Duration ttl) {
        byte[] info = entry.info();
        byte[] head = bytes(entry.userId() + '\n' + nodeId + '\n' + (info == null ? "-" : "+"));
        byte[] value = new byte[head.length + (info == null ? 0 : info.length)];
        System.arraycopy(head, 0, value, 0, head.length);
        if (info != null) {
            System.arraycopy(info, 0, value, head.length, info.length);
        }
        return presenceCall(channel, "join", entry.clientId(), entry.userId(), value, ttl.toMillis()).thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Void> presenceLeave(String channel, String clientId) {
        return presenceCall(channel, "leave", clientId, "", new byte[0], 0).thenApply(x -> null);
    }

    @Override
    public CompletableFuture<List<PresenceEntry>> presence(String channel) {
        return presenceCall(channel, "read", "", "", new byte[0], 0).thenApply(flat -> {
            List<PresenceEntry> out = new ArrayList<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                String clientId = new String((byte[]) flat.get(i), StandardCharsets.UTF_8);
                byte[] v = (byte[]) flat.get(i + 1);
                int a = indexOf(v, 0);
                int b = indexOf(v, a + 1);
                String user = new String(v, 0, a, StandardCharsets.UTF_8);
                byte[] info = v[b + 1] == '+' ? java.util.Arrays.copyOfRange(v, b + 2, v.length) : null;
                out.add(new PresenceEntry(clientId, user, info));
            }
            return out;
        });
    }

    /** Runs presence.lua; announces what it reports when the broker is not Redis; returns the entries read. */
    private CompletableFuture<List<?>> presenceCall(String channel, String op, String clientId, String userId, byte[] entry,
                                                    long ttlMillis) {
        Shard s = shardFor(channel);
        byte[][] keys = {key("pe:", channel), key("pz:", channel), key("pu:", channel)};
        byte[][] args = {bytes(op), broker == null ? key("p:", channel) : new byte[0], bytes(clientId), bytes(userId), entry,
                bytes(Long.toString(ttlMillis)), bytes(s.maySweep() ? "1" : "0")};
        return eval(s, presenceScript, keys, args).thenApply(out -> {
            List<?> r = (List<?>) out;
            if (broker != null) {
                for (Object said : (List<?>) r.get(0)) {
                    broker.publish(channel, (byte[]) said);
                }
            }
            return (List<?>) r.get(1);
        });
    }

    /** Expires the entries of dead nodes in the channels this node follows, announcing them offline. */
    private void sweepPresence() {
        if (!isReady()) {
            return;
        }
        for (String channel : feeds.keySet()) {
            if (shardFor(channel).maySweep()) {
                presenceCall(channel, "sweep", "", "", new byte[0], 0).exceptionally(e -> null);
            }
        }
    }

    // ---- control and the node list --------------------------------------------------------------

    @Override
    public CompletableFuture<Void> broadcastControl(byte[] message) {
        if (broker != null) {
            return broker.publishControl(message);
        }
        return commands(shards.get(0)).thenCompose(c -> c.async().publish(CONTROL, message).toCompletableFuture())
                .thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Void> reportNode(String id, byte[] stats, Duration ttl) {
        return commands(shards.get(0)).thenCompose(c -> {
            var a = c.async();
            a.sadd(bytes(PREFIX + "nodes"), bytes(id));
            return a.psetex(bytes(PREFIX + "node:" + id), Math.max(1, ttl.toMillis()), stats).toCompletableFuture();
        }).thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> nodes() {
        return commands(shards.get(0)).thenCompose(c -> c.async().smembers(bytes(PREFIX + "nodes")).toCompletableFuture()
                .thenCompose(ids -> {
                    List<byte[]> list = new ArrayList<>(ids);
                    if (list.isEmpty()) {
                        return CompletableFuture.completedFuture(Map.<String, byte[]>of());
                    }
                    byte[][] keys = list.stream().map(id -> bytes(PREFIX + "node:" + new String(id, StandardCharsets.UTF_8)))
                            .toArray(byte[][]::new);
                    return c.async().mget(keys).toCompletableFuture().thenApply(values -> {
                        Map<String, byte[]> out = new HashMap<>();
                        for (int i = 0; i < values.size(); i++) {
                            String id = new String(list.get(i), StandardCharsets.UTF_8);
                            if (values.get(i).hasValue()) {
                                out.put(id, values.get(i).getValue());
                            } else {
                                c.async().srem(bytes(PREFIX + "nodes"), list.get(i)); // its report expired: it died
                            }
                        }
                        return out;
                    });
                }));
    }

    // ---- state ----------------------------------------------------------------------------------

    @Override
    public boolean isReady() {
        if (closed || sink == null) {
            return false;
        }
        for (Shard s : shards) {
            if (s.cmd == null || !s.cmd.isOpen() || (broker == null && (s.pubsub == null || !s.pubsub.isOpen()))) {
                return false;
            }
        }
        return broker == null || broker.isReady();
    }

    @Override
    public String name() {
        return broker == null ? "redis" : "redis+" + broker.name();
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        if (broker != null) {
            broker.close();
        }
        for (Shard s : shards) {
            try {
                s.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                log.debug("closing the Redis client for {}", s.name, e);
            }
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Runs a task on the engine's timer after a delay; dropped once the engine is closed. */
    private void later(Runnable task, long delayMillis) {
        if (closed) {
            return;
        }
        try {
            timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("engine closed; dropped a scheduled task");
        }
    }

    /** The shard of a channel: a stable hash of its name, the same on every node given the same URLs in the same order. */
    Shard shardFor(String channel) {
        if (shards.size() == 1) {
            return shards.get(0);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes(channel));
        return shards.get((int) (crc.getValue() % shards.size()));
    }

    private static CompletableFuture<StatefulRedisConnection<byte[], byte[]>> commands(Shard s) {
        StatefulRedisConnection<byte[], byte[]> c = s.cmd;
        if (c == null || !c.isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis at " + s.name + " is unavailable"));
        }
        return CompletableFuture.completedFuture(c);
    }

    /**
     * Runs a script with EVAL, never EVALSHA. With EVALSHA a script cache miss (first use, or Redis restarted)
     * fails the commands already pipelined behind it, and retrying them with EVAL would run them after later
     * commands that found the script cached: one connection's publishes could take offsets out of order.
     * EVAL keeps every command in the order it was sent; Redis still compiles each script once and caches
     * it, so the cost is the script's bytes on the wire (comments are stripped, see {@link Script}).
     */
    private CompletableFuture<Object> eval(Shard s, Script script, byte[][] keys, byte[][] args) {
        return commands(s).thenCompose(c -> c.async().<Object>eval(script.source, ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture());
    }

    private static byte[] key(String kind, String channel) {
        return bytes(PREFIX + kind + channel);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("malformed presence entry");
    }

    private String newEpoch() {
        return randomId(8);
    }

    private String randomId(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
        }
        return new String(c);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** A URL with its password replaced by ****, for logs and --print-config. */
    public static String masked(String url) {
        return url == null ? null : url.replaceAll("(://[^:@/]*:)[^@/]*@", "$1****@").replaceAll("(://)([^:@/]+)@", "$1****@");
    }

    /** One Redis server: a client, its command connection and its pub/sub connection. */
    static final class Shard {
        final String name;
        final RedisURI uri;
        final RedisClient client;
        volatile StatefulRedisConnection<byte[], byte[]> cmd;
        volatile StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
        // channel -> subscribe confirmations seen on this shard's pub/sub connection (listener thread only).
        final Map<String, Integer> confirmations = new ConcurrentHashMap<>();
        // System.nanoTime() of the latest (re)connection of either connection; 0 before the first.
        volatile long connectedAtNanos;

        /** Whether this node may remove other connections' overdue presence entries on this shard now. */
        boolean maySweep() {
            long at = connectedAtNanos;
            return at != 0 && System.nanoTime() - at > PRESENCE_SWEEP_GRACE.toNanos();
        }

        Shard(String name, RedisURI uri, RedisClient client) {
            this.name = name;
            this.uri = uri;
            this.client = client;
        }
    }

    /** A Lua script from the resources, without its comment lines and indentation (sent with every EVAL). */
    private record Script(String source) {
        static Script load(String name) {
            try (var in = RedisEngine.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + name);
                }
                String src = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                StringBuilder lean = new StringBuilder(src.length());
                for (String line : src.split("\n")) {
                    String t = line.strip();
                    if (!t.isEmpty() && !t.startsWith("--")) {
                        lean.append(t).append('\n');
                    }
                }
                return new Script(lean.toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot load " + name, e);
            }
        }
    }
}
