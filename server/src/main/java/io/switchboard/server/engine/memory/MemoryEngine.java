package io.switchboard.server.engine.memory;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PresencePage;
import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.engine.StreamOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The single-node engine: live delivery, history streams, idempotency keys and presence, all in this
 * process. Every change to a channel (publish plus append, presence joins and leaves) happens under a
 * lock striped by channel name, and is handed to the sink under that lock, so a channel's events reach
 * the hub in exactly the order they happened. One daemon thread sweeps expired history, idle streams,
 * old idempotency keys and presence entries that were not refreshed.
 */
public final class MemoryEngine implements Engine {

    private static final int STRIPES = 256;

    private final Object[] locks = new Object[STRIPES];
    // Channels with local subscribers; written under the channel's lock, read by publishers under it.
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    // channel -> its history stream; entries are created, changed and removed under the channel's lock.
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    // channel + '\0' + publisher + '\0' + key -> the first result; written under the channel's lock, swept by time.
    private final ConcurrentHashMap<String, Remembered> idempotency = new ConcurrentHashMap<>();
    // channel -> its presence; each ChannelPresence is changed only under the channel's lock.
    private final ConcurrentHashMap<String, ChannelPresence> presence = new ConcurrentHashMap<>();
    // Orders presence updates (they are delivered under the channel's lock, so in this order anyway).
    private final java.util.concurrent.atomic.AtomicLong presenceOrder = new java.util.concurrent.atomic.AtomicLong();
    private final ScheduledExecutorService sweeper;
    // Set once by start(); read by publishing threads.
    private volatile PublicationSink sink;
    private volatile boolean closed;
    private final java.time.Clock clock;
    private volatile Map<String, byte[]> ownReport = Map.of();
    private final MemoryEventQueue events;

    public MemoryEngine() {
        this(Duration.ofSeconds(1));
    }

    /** @param sweepEvery how often expired entries are looked for (tests use a short period) */
    public MemoryEngine(Duration sweepEvery) {
        this(sweepEvery, java.time.Clock.systemUTC());
    }

    /**
     * @param sweepEvery how often expired entries are looked for
     * @param clock      what presence TTLs, history ages, stream TTLs and idempotency windows are measured by
     *                   (tests move it and call {@link #sweep()})
     */
    public MemoryEngine(Duration sweepEvery, java.time.Clock clock) {
        this.clock = clock;
        this.events = new MemoryEventQueue(clock);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-memory-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, sweepEvery.toMillis(), sweepEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<Void> start(PublicationSink sink) {
        this.sink = sink;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest req) {
        if (closed || sink == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("engine is not running"));
        }
        String channel = req.channel();
        long now = clock.millis();
        synchronized (lockFor(channel)) {
            // A key is one publisher's: another user reusing it on the channel is not mistaken for a retry.
            String idemKey = req.idempotencyIdentity();
            if (idemKey != null) {
                Remembered r = idempotency.get(idemKey);
                if (r != null && r.expiresAt > now) {
                    return CompletableFuture.completedFuture(r.result);
                }
            }
            Publication pub;
            PublishResult result;
            if (req.stream() != null) {
                Stream s = streams.computeIfAbsent(channel, c -> new Stream(newEpoch(), now));
                s.options = req.stream();
                s.offset++;
                s.lastPublishAt = now;
                pub = new Publication(channel, req.payload(), req.from(), s.offset, s.epoch, now, req.clientId(), req.ingressNanos());
                s.kept.add(pub);
                s.trim(now);
                result = new PublishResult(s.offset, s.epoch);
            } else {
                pub = new Publication(channel, req.payload(), req.from(), -1, null, now, req.clientId(), req.ingressNanos());
                result = PublishResult.NO_POSITION;
            }
            if (idemKey != null) {
                idempotency.put(idemKey, new Remembered(result, now + req.idempotencyWindow().toMillis()));
            }
            if (subscribed.contains(channel)) {
                sink.onPublication(pub);
            }
            return CompletableFuture.completedFuture(result);
        }
    }

    @Override
    public CompletableFuture<HistoryResult> history(String channel, HistoryQuery q, StreamOptions options) {
        long now = clock.millis();
        synchronized (lockFor(channel)) {
            Stream s = streams.computeIfAbsent(channel, c -> new Stream(newEpoch(), now));
            if (s.options == null) {
                s.options = options;
            }
            s.trim(now);
            long earliest = s.kept.isEmpty() ? s.offset + 1 : s.kept.get(0).offset();
            List<Publication> out = new ArrayList<>(Math.min(q.limit(), s.kept.size()));
            if (q.reverse()) {
                for (int i = s.kept.size() - 1; i >= 0 && out.size() < q.limit() && s.kept.get(i).offset() > q.after(); i--) {
                    out.add(s.kept.get(i));
                }
            } else {
                for (Publication p : s.kept) {
                    if (out.size() >= q.limit()) {
                        break;
                    }
                    if (p.offset() > q.after()) {
                        out.add(p);
                    }
                }
            }
            return CompletableFuture.completedFuture(new HistoryResult(s.epoch, s.offset, earliest, out));
        }
    }

    @Override
    public CompletableFuture<Void> presenceJoin(String channel, PresenceEntry entry, Duration ttl) {
        long now = clock.millis();
        synchronized (lockFor(channel)) {
            ChannelPresence cp = presence.computeIfAbsent(channel, c -> new ChannelPresence());
            Slot old = cp.slots.put(entry.clientId(), new Slot(entry, now + ttl.toMillis()));
            if (old == null && cp.users.merge(entry.userId(), 1, Integer::sum) == 1) {
                announce(new PresenceUpdate(channel, entry.userId(), true, now, cp.users.size(), presenceOrder.incrementAndGet()));
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> presenceLeave(String channel, String clientId) {
        synchronized (lockFor(channel)) {
            removeSlot(channel, clientId, clock.millis());
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<PresencePage> presencePage(String channel, String after, int limit) {
        synchronized (lockFor(channel)) {
            ChannelPresence cp = presence.get(channel);
            List<PresenceEntry> out = new ArrayList<>();
            if (cp == null) {
                return CompletableFuture.completedFuture(new PresencePage(out, 0, 0, null));
            }
            Map<String, Slot> rest = after == null ? cp.slots : cp.slots.tailMap(after, false);
            String next = null;
            for (Slot s : rest.values()) {
                if (out.size() == Math.max(1, limit)) {
                    next = out.get(out.size() - 1).clientId();
                    break;
                }
                out.add(s.entry);
            }
            return CompletableFuture.completedFuture(new PresencePage(out, cp.users.size(), cp.slots.size(), next));
        }
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        synchronized (lockFor(channel)) {
            subscribed.add(channel);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String channel) {
        synchronized (lockFor(channel)) {
            subscribed.remove(channel);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> broadcastControl(byte[] message) {
        PublicationSink s = sink;
        if (closed || s == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("engine is not running"));
        }
        s.onControl(message);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> reportNode(String nodeId, byte[] stats, Duration ttl) {
        // One node: only its own entry, replaced on each report; the TTL has nothing to expire.
        ownReport = Map.of(nodeId, stats.clone());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> nodes() {
        return CompletableFuture.completedFuture(ownReport);
    }

    // ---- the backend's events: see MemoryEventQueue ----------------------------------------------

    @Override
    public CompletableFuture<Void> appendEvents(List<ConnectionRecord> records, List<NewEvent> newEvents) {
        return closed ? notRunning() : events.appendEvents(records, newEvents);
    }

    @Override
    public CompletableFuture<Void> markAlive(String nodeId, Duration ttl) {
        return closed ? notRunning() : events.markAlive(nodeId, ttl);
    }

    @Override
    public CompletableFuture<OrphanedNode> claimOrphans(String claimer) {
        return closed ? notRunning() : events.claimOrphans(claimer);
    }

    @Override
    public CompletableFuture<Boolean> settleOrphans(String deadNode, String claimer, List<NewEvent> newEvents) {
        return closed ? notRunning() : events.settleOrphans(deadNode, claimer, newEvents);
    }

    @Override
    public CompletableFuture<Boolean> leaseQueue(String queue, String holder, Duration ttl) {
        return closed ? notRunning() : events.leaseQueue(queue, holder, ttl);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> peekEvents(String queue, int max) {
        return closed ? notRunning() : events.peekEvents(queue, max);
    }

    @Override
    public CompletableFuture<Void> removeEvents(String queue, List<QueuedEvent> done, boolean deadLetter) {
        return closed ? notRunning() : events.removeEvents(queue, done, deadLetter);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> deadLetters(String queue, int max) {
        return closed ? notRunning() : events.deadLetters(queue, max);
    }

    @Override
    public CompletableFuture<Integer> replayDeadLetters(String queue, List<String> ids) {
        return closed ? notRunning() : events.replayDeadLetters(queue, ids);
    }

    private static <T> CompletableFuture<T> notRunning() {
        return CompletableFuture.failedFuture(new IllegalStateException("engine is not running"));
    }

    @Override
    public boolean isReady() {
        return !closed && sink != null;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
    }

    /** Removes what has expired (announcing presence that expired); runs on the sweeper thread, any thread may call it. */
    public void sweep() {
        long now = clock.millis();
        idempotency.values().removeIf(r -> r.expiresAt <= now);
        for (String channel : streams.keySet()) {
            synchronized (lockFor(channel)) {
                Stream s = streams.get(channel);
                if (s == null) {
                    continue;
                }
                s.trim(now);
                if (s.options != null && now - s.lastPublishAt > s.options.streamTtl().toMillis()) {
                    streams.remove(channel); // the stream is lost: the next one gets a new epoch
                }
            }
        }
        for (String channel : presence.keySet()) {
            synchronized (lockFor(channel)) {
                ChannelPresence cp = presence.get(channel);
                if (cp == null) {
                    continue;
                }
                List<String> expired = new ArrayList<>();
                cp.slots.forEach((id, slot) -> {
                    if (slot.expiresAt <= now) {
                        expired.add(id);
                    }
                });
                expired.forEach(id -> removeSlot(channel, id, now));
            }
        }
    }

    /** Caller holds the channel's lock. */
    private void removeSlot(String channel, String clientId, long now) {
        ChannelPresence cp = presence.get(channel);
        if (cp == null) {
            return;
        }
        Slot gone = cp.slots.remove(clientId);
        if (gone != null) {
            String user = gone.entry.userId();
            if (cp.users.merge(user, -1, Integer::sum) == 0) {
                cp.users.remove(user);
                announce(new PresenceUpdate(channel, user, false, now, cp.users.size(), presenceOrder.incrementAndGet()));
            }
        }
        if (cp.slots.isEmpty()) {
            presence.remove(channel);
        }
    }

    /** Caller holds the channel's lock. */
    private void announce(PresenceUpdate update) {
        PublicationSink s = sink;
        if (s != null && subscribed.contains(update.channel())) {
            s.onPresenceUpdate(update);
        }
    }

    private static String newEpoch() {
        return io.switchboard.server.util.Ids.random(8);
    }

    private Object lockFor(String channel) {
        return locks[(channel.hashCode() & 0x7fffffff) % STRIPES];
    }

    /** One channel's history. Guarded by the channel's lock. */
    private static final class Stream {
        final String epoch;
        long offset;
        long lastPublishAt;
        StreamOptions options;
        // Oldest first; trimmed from the front.
        final ArrayList<Publication> kept = new ArrayList<>();

        Stream(String epoch, long now) {
            this.epoch = epoch;
            this.lastPublishAt = now;
        }

        void trim(long now) {
            if (options == null) {
                return;
            }
            int drop = Math.max(0, kept.size() - options.size());
            long oldest = now - options.ttl().toMillis();
            while (drop < kept.size() && kept.get(drop).timestamp() <= oldest) {
                drop++;
            }
            if (drop > 0) {
                kept.subList(0, drop).clear();
            }
        }
    }

    private record Remembered(PublishResult result, long expiresAt) {
    }

    private record Slot(PresenceEntry entry, long expiresAt) {
    }

    /** Guarded by the channel's lock. */
    private static final class ChannelPresence {
        // Ordered by clientId, so that a page is a range that starts after the last id of the one before.
        final java.util.TreeMap<String, Slot> slots = new java.util.TreeMap<>();
        final Map<String, Integer> users = new HashMap<>();
    }
}
