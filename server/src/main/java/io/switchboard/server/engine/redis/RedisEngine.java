package io.switchboard.server.engine.redis;

import io.lettuce.core.ScriptOutputType;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PresencePage;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.engine.StreamOptions;
import io.switchboard.server.util.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster engine: history streams, idempotency keys and presence in Redis, shared by every node; live
 * delivery through a {@link LiveBroker}, Redis pub/sub ({@link RedisPubSubBroker}) or NATS.
 *
 * <p>Each publication is one Lua script ({@code publish.lua}): check the idempotency key, take the next
 * offset, append to the channel's stream and (with Redis pub/sub) PUBLISH, atomically, so offsets come
 * in one order for every node, with no hole. A node subscribes only to channels with local subscribers,
 * and lets go of one a little after its last subscriber left ({@link #UNSUBSCRIBE_DELAY}). Every
 * subscribed channel has a {@link ChannelFeed} that delivers in offset order and fills holes from the
 * stream (after a lost connection, or when the broker reorders).
 *
 * <p>Channels are spread over several Redis servers ({@link Shards}). Nothing here blocks: every Redis call
 * is asynchronous.
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
    /** The node list and each node's last report, under one hash tag. */
    private static final String NODES = "sb:{nodes}";
    private static final String NODE = "sb:{nodes}:";

    private final Shards shards;
    private final LiveBroker broker;
    private final String nodeId = Ids.random(12);
    private final Script publishScript = Script.load("publish.lua");
    private final Script historyScript = Script.load("history.lua");
    private final Script presenceScript = Script.load("presence.lua");
    private final RedisEventQueue events;
    // channel -> its feed, while this node is subscribed (including a pending delayed unsubscribe).
    private final ConcurrentHashMap<String, ChannelFeed> feeds = new ConcurrentHashMap<>();
    private volatile PublicationSink sink;

    /**
     * @param urls   one or more {@code redis://} URLs; channels are sharded over them
     * @param broker the live-delivery broker, or null for Redis pub/sub on the same servers
     */
    public RedisEngine(List<String> urls, LiveBroker broker) {
        this.shards = new Shards(urls);
        this.broker = broker != null ? broker : new RedisPubSubBroker(shards);
        this.events = new RedisEventQueue(shards, Script.load("events.lua").source());
    }

    /** This node's id in presence entries and the node list. */
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<Void> start(PublicationSink sink) {
        this.sink = sink;
        // Presence entries may be near their expiry after an outage: the node renews them as soon as it can.
        shards.onCommandsReconnected(sink::onReconnected);
        shards.connect();
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

            @Override
            public void onRestored(String channel) {
                ChannelFeed feed = feeds.get(channel);
                if (feed != null) {
                    feed.catchUp();
                }
            }
        });
        long sweep = PRESENCE_SWEEP.toMillis();
        shards.timer.scheduleWithFixedDelay(this::sweepPresence, sweep, sweep, TimeUnit.MILLISECONDS);
        // Start-up does not wait for Redis: the node serves /readyz (503 engine_unavailable) until it is there.
        return CompletableFuture.completedFuture(null);
    }

    // ---- publish ---------------------------------------------------------------------------------

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest req) {
        String ch = req.channel();
        Shards.Shard s = shards.forChannel(ch);
        StreamOptions so = req.stream();
        // Without a key the script never touches KEYS[3]; it is still one of the channel's, for Redis Cluster.
        String idem = req.idempotencyKey() == null ? "i"
                : "i:" + req.idempotencyIdentity().substring(ch.length() + 1); // publisher '\0' key
        long window = req.idempotencyKey() == null ? 0 : Math.max(1, req.idempotencyWindow().toMillis());
        byte[][] keys = {key("m", ch), key("s", ch), key(idem, ch)};
        byte[][] args = {
                bytes(so == null ? "0" : "1"), bytes(newEpoch()),
                bytes(Integer.toString(so == null ? 0 : so.size())),
                bytes(Long.toString(so == null ? 1 : Math.max(1, so.streamTtl().toMillis()))),
                bytes(Long.toString(window)),
                broker.scriptChannel(ch),
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
            return new ChannelFeed(c, sink, (after, limit) -> read(c, after, limit, false), shards::later);
        });
        if (created[0]) {
            CompletableFuture<Void> listening = broker.subscribe(channel);
            // Read the position only once the subscription is live, so nothing falls between the two.
            listening.thenCompose(x -> read(channel, -1, 0, false)).whenComplete((pos, failure) -> {
                if (failure != null) {
                    feeds.remove(channel, feed);
                    feed.close();
                    broker.unsubscribe(channel);
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
        shards.later(() -> feeds.computeIfPresent(channel, (c, f) -> {
            synchronized (f) {
                if (f != feed || f.wanted) {
                    return f;
                }
            }
            broker.unsubscribe(c);
            f.close();
            return null;
        }), UNSUBSCRIBE_DELAY.toMillis());
        return CompletableFuture.completedFuture(null);
    }

    /** A message from the broker (Redis pub/sub or NATS) for a channel. */
    private void receive(String channel, byte[] msg) {
        ChannelFeed feed = feeds.get(channel);
        if (feed == null) {
            return;
        }
        Publication p = null;
        io.switchboard.server.engine.PresenceUpdate u = null;
        try {
            if (Wire.isPublication(msg)) {
                p = Wire.publication(channel, msg);
            } else if (Wire.isPresence(msg)) {
                u = Wire.presence(channel, msg);
            }
        } catch (RuntimeException e) {
            log.warn("dropped an unreadable message on channel {}: {}", io.switchboard.server.util.LogText.escape(channel), e.toString());
            return;
        }
        try {
            if (p != null) {
                feed.onPublication(p);
            } else if (u != null) {
                feed.onPresence(u);
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The node's event loops have stopped (it is shutting down) before the engine's subscription did.
            log.debug("dropped a message on channel {}: the node is stopping", io.switchboard.server.util.LogText.escape(channel));
        } catch (RuntimeException e) {
            log.warn("a message on channel {} could not be handed to this node's subscribers: {}",
                    io.switchboard.server.util.LogText.escape(channel), e.toString());
        }
    }

    // ---- history --------------------------------------------------------------------------------

    @Override
    public CompletableFuture<HistoryResult> history(String channel, HistoryQuery q, StreamOptions stream) {
        Shards.Shard s = shards.forChannel(channel);
        byte[][] keys = {key("m", channel), key("s", channel)};
        byte[][] args = {
                bytes(Long.toString(q.after())), bytes(Integer.toString(q.limit())), bytes(q.reverse() ? "1" : "0"),
                bytes(newEpoch()), bytes(Long.toString(stream.ttl().toMillis())),
                bytes(Long.toString(Math.max(1, stream.streamTtl().toMillis()))), bytes("1")};
        return eval(s, historyScript, keys, args).thenApply(out -> historyResult(channel, out));
    }

    /** A read that does not create the stream (epoch "" when there is none); used by the feeds. */
    private CompletableFuture<HistoryResult> read(String channel, long after, int limit, boolean reverse) {
        Shards.Shard s = shards.forChannel(channel);
        byte[][] keys = {key("m", channel), key("s", channel)};
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
    public CompletableFuture<PresencePage> presencePage(String channel, String after, int limit) {
        int n = Math.max(1, limit);
        return presenceCall(channel, "page", after == null ? "" : after, Integer.toString(n), new byte[0], 0).thenApply(r -> {
            List<PresenceEntry> out = new ArrayList<>();
            for (int i = 3; i + 1 < r.size(); i += 2) {
                String clientId = new String((byte[]) r.get(i), StandardCharsets.UTF_8);
                byte[] v = (byte[]) r.get(i + 1);
                int a = indexOf(v, 0);
                int b = indexOf(v, a + 1);
                String user = new String(v, 0, a, StandardCharsets.UTF_8);
                byte[] info = v[b + 1] == '+' ? java.util.Arrays.copyOfRange(v, b + 2, v.length) : null;
                out.add(new PresenceEntry(clientId, user, info));
            }
            String next = new String((byte[]) r.get(2), StandardCharsets.UTF_8);
            return new PresencePage(out, (Long) r.get(0), (Long) r.get(1), next.isEmpty() ? null : next);
        });
    }

    /** Runs presence.lua; has the broker send what it announces (the script did with Redis pub/sub); returns the entries read. */
    private CompletableFuture<List<?>> presenceCall(String channel, String op, String clientId, String userId, byte[] entry,
                                                    long ttlMillis) {
        Shards.Shard s = shards.forChannel(channel);
        byte[][] keys = {key("pe", channel), key("pz", channel), key("pu", channel), key("pl", channel)};
        byte[][] args = {bytes(op), broker.scriptChannel(channel), bytes(clientId), bytes(userId), entry,
                bytes(Long.toString(ttlMillis)), bytes(s.maySweep() ? "1" : "0")};
        return eval(s, presenceScript, keys, args).thenApply(out -> {
            List<?> r = (List<?>) out;
            for (Object said : (List<?>) r.get(0)) {
                broker.publish(channel, (byte[]) said);
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
            if (shards.forChannel(channel).maySweep()) {
                presenceCall(channel, "sweep", "", "", new byte[0], 0).exceptionally(e -> null);
            }
        }
    }

    // ---- control and the node list --------------------------------------------------------------

    @Override
    public CompletableFuture<Void> broadcastControl(byte[] message) {
        return broker.publishControl(message);
    }

    @Override
    public CompletableFuture<Void> reportNode(String id, byte[] stats, Duration ttl) {
        // Both writes are awaited: on a Redis Cluster they could otherwise complete in either order.
        return Shards.commands(shards.first()).thenCompose(a -> CompletableFuture.allOf(
                a.sadd(bytes(NODES), bytes(id)).toCompletableFuture(),
                a.psetex(bytes(NODE + id), Math.max(1, ttl.toMillis()), stats).toCompletableFuture()));
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> nodes() {
        return Shards.commands(shards.first()).thenCompose(c -> c.smembers(bytes(NODES)).toCompletableFuture()
                .thenCompose(ids -> {
                    List<byte[]> list = new ArrayList<>(ids);
                    if (list.isEmpty()) {
                        return CompletableFuture.completedFuture(Map.<String, byte[]>of());
                    }
                    byte[][] keys = list.stream().map(id -> bytes(NODE + new String(id, StandardCharsets.UTF_8)))
                            .toArray(byte[][]::new);
                    // One hash tag for the list and the reports: on a Redis Cluster they share a slot.
                    return c.mget(keys).toCompletableFuture().thenApply(values -> {
                        Map<String, byte[]> out = new HashMap<>();
                        for (int i = 0; i < values.size(); i++) {
                            String id = new String(list.get(i), StandardCharsets.UTF_8);
                            if (values.get(i).hasValue()) {
                                out.put(id, values.get(i).getValue());
                            } else {
                                c.srem(bytes(NODES), list.get(i)); // its report expired: it died
                            }
                        }
                        return out;
                    });
                }));
    }

    // ---- the backend's events: see RedisEventQueue ----------------------------------------------

    @Override
    public CompletableFuture<Void> appendEvents(List<ConnectionRecord> records, List<NewEvent> newEvents) {
        return events.appendEvents(records, newEvents);
    }

    @Override
    public CompletableFuture<Void> markAlive(String id, Duration ttl) {
        return events.markAlive(id, ttl);
    }

    @Override
    public CompletableFuture<OrphanedNode> claimOrphans(String claimer) {
        return events.claimOrphans(claimer);
    }

    @Override
    public CompletableFuture<Boolean> settleOrphans(String deadNode, String claimer, List<NewEvent> newEvents) {
        return events.settleOrphans(deadNode, claimer, newEvents);
    }

    @Override
    public CompletableFuture<Boolean> leaseQueue(String queue, String holder, Duration ttl) {
        return events.leaseQueue(queue, holder, ttl);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> peekEvents(String queue, int max) {
        return events.peekEvents(queue, max);
    }

    @Override
    public CompletableFuture<Void> removeEvents(String queue, List<QueuedEvent> done, boolean deadLetter) {
        return events.removeEvents(queue, done, deadLetter);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> deadLetters(String queue, int max) {
        return events.deadLetters(queue, max);
    }

    @Override
    public CompletableFuture<Integer> replayDeadLetters(String queue, List<String> ids) {
        return events.replayDeadLetters(queue, ids);
    }

    // ---- state ----------------------------------------------------------------------------------

    @Override
    public boolean isReady() {
        return sink != null && !shards.closed() && shards.commandsOpen() && broker.isReady();
    }

    @Override
    public String name() {
        return broker.name().equals("redis") ? "redis" : "redis+" + broker.name();
    }

    @Override
    public void close() {
        broker.close();
        shards.close();
    }

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * Runs a script with EVAL, never EVALSHA. With EVALSHA a script cache miss (first use, or Redis restarted)
     * fails the commands already pipelined behind it, and retrying them with EVAL would run them after later
     * commands that found the script cached: one connection's publishes could take offsets out of order.
     * EVAL keeps every command in the order it was sent; Redis still compiles each script once and caches
     * it, so the cost is the script's bytes on the wire (comments are stripped, see {@link Script}).
     */
    private CompletableFuture<Object> eval(Shards.Shard s, Script script, byte[][] keys, byte[][] args) {
        return Shards.commands(s).thenCompose(c -> c.<Object>eval(script.source(), ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture());
    }

    /**
     * A key of a channel: {@code sb:{C}:kind}. The braces make the channel name the key's hash tag, so all
     * of one channel's keys share a Redis Cluster hash slot (a script may only touch keys of one slot);
     * channel names cannot contain braces, so the tag is always the whole name.
     */
    static byte[] key(String kind, String channel) {
        return bytes(PREFIX + '{' + channel + "}:" + kind);
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

    private static String newEpoch() {
        return Ids.random(8);
    }

    /** A URL with its password replaced by ****, for logs and --print-config. */
    public static String masked(String url) {
        return url == null ? null : url.replaceAll("(://[^:@/]*:)[^@/]*@", "$1****@").replaceAll("(://)([^:@/]+)@", "$1****@");
    }
}
