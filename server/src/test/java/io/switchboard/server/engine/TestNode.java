package io.switchboard.server.engine;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;

/**
 * One node as the contract suite sees it: an engine and the sink it delivers to, which records
 * everything. The tests talk to the engine only through this adapter, so that when the engine SPI
 * changes shape only this class (and the set-ups' factories) need to follow.
 *
 * <p>The sink also checks the one threading rule it can see: a channel's publications are handed over
 * one at a time (a call that overlaps another of the same channel is counted in {@link #overlaps}).
 */
public final class TestNode implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    private final Engine engine;
    private final Map<String, List<Publication>> received = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** Presence changes, in arrival order, as {@code channel:user:online|offline}. */
    final List<String> presenceUpdates = new CopyOnWriteArrayList<>();
    /** The user count each channel's latest presence update carried. */
    final Map<String, Long> presenceCounts = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The highest user count a channel's presence updates carried: updates from two nodes have no order
     * between them over NATS, so the latest to arrive may carry an older count.
     */
    final Map<String, Long> presenceCountMax = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> controls = new CopyOnWriteArrayList<>();
    /** Channels the engine reported a gap for; nothing in the suite makes one, so it must stay empty. */
    final List<String> gaps = new CopyOnWriteArrayList<>();
    final AtomicInteger overlaps = new AtomicInteger();
    private boolean closed;

    TestNode(Engine engine) {
        this.engine = engine;
        join(engine.start(new PublicationSink() {
            @Override
            public void onPublication(Publication p) {
                AtomicInteger busy = inFlight.computeIfAbsent(p.channel(), c -> new AtomicInteger());
                if (busy.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                received.computeIfAbsent(p.channel(), c -> new CopyOnWriteArrayList<>()).add(p);
                busy.decrementAndGet();
            }

            @Override
            public void onPresenceUpdate(PresenceUpdate u) {
                presenceUpdates.add(u.channel() + ":" + u.userId() + ":" + (u.online() ? "online" : "offline"));
                presenceCounts.put(u.channel(), u.users());
                presenceCountMax.merge(u.channel(), u.users(), Math::max);
            }

            @Override
            public void onGap(String channel) {
                gaps.add(channel);
            }

            @Override
            public void onControl(byte[] message) {
                controls.add(text(message));
            }
        }));
        eventually().until(engine::isReady);
    }

    // ---- what the tests do ------------------------------------------------------------------------

    CompletableFuture<PublishResult> publishAsync(PublishRequest request) {
        return engine.publish(request);
    }

    PublishResult publish(PublishRequest request) {
        return join(engine.publish(request));
    }

    void subscribe(String channel) {
        join(engine.subscribe(channel));
    }

    void unsubscribe(String channel) {
        join(engine.unsubscribe(channel));
    }

    HistoryResult history(String channel, long after, int limit, boolean reverse, StreamOptions stream) {
        return join(engine.history(channel, new HistoryQuery(after, limit, reverse), stream));
    }

    void join(String channel, String clientId, String userId, String info, Duration ttl) {
        byte[] raw = info == null ? null : info.getBytes(StandardCharsets.UTF_8);
        join(engine.presenceJoin(channel, new PresenceEntry(clientId, userId, raw), ttl));
    }

    void leave(String channel, String clientId) {
        join(engine.presenceLeave(channel, clientId));
    }

    List<PresenceEntry> presence(String channel) {
        return join(engine.presence(channel));
    }

    io.switchboard.server.engine.PresencePage page(String channel, String after, int limit) {
        return join(engine.presencePage(channel, after, limit));
    }

    CompletableFuture<Void> broadcastControl(String message) {
        return engine.broadcastControl(message.getBytes(StandardCharsets.UTF_8));
    }

    void reportNode(String nodeId, String stats, Duration ttl) {
        join(engine.reportNode(nodeId, stats.getBytes(StandardCharsets.UTF_8), ttl));
    }

    /** The node list, with each report as text. */
    Map<String, String> nodes() {
        Map<String, String> out = new java.util.TreeMap<>();
        join(engine.nodes()).forEach((id, stats) -> out.put(id, text(stats)));
        return out;
    }

    /** The engine's event queues (the contract calls them directly: they deliver nothing to the sink). */
    EventQueue events() {
        return engine;
    }

    boolean isReady() {
        return engine.isReady();
    }

    String name() {
        return engine.name();
    }

    /** The publications of a channel this node's sink got, in arrival order. */
    List<Publication> received(String channel) {
        return received.getOrDefault(channel, List.of());
    }

    /** The payloads of a channel this node's sink got, as text, in arrival order. */
    List<String> payloads(String channel) {
        return received(channel).stream().map(p -> text(p.payload())).toList();
    }

    /** Waits until the sink got a publication of {@code channel} with this payload. */
    void awaitPayload(String channel, String payload) {
        eventually().until(() -> payloads(channel).contains(payload));
    }

    /** Waits until the sink got {@code count} publications of a channel. */
    void awaitCount(String channel, int count) {
        eventually().until(() -> received(channel).size() >= count);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            engine.close();
        }
    }

    /** Awaitility for the suite: up to {@link #WAIT}, looking at once and then every 10 ms. */
    static ConditionFactory eventually() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("the engine call failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("the engine call did not complete: " + e, e);
        }
    }
}
