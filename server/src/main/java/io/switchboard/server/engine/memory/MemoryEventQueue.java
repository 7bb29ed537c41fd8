package io.switchboard.server.engine.memory;

import io.switchboard.server.engine.EventQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The event queues of the single-node engine, in this process: every step under one lock, so each is atomic
 * and the queues keep append order. Node records and liveness work as in a cluster (a test can record a
 * connection for a "node" that never says it is alive), though on one node they only matter to tests.
 */
final class MemoryEventQueue implements EventQueue {

    private final Clock clock;
    private final Map<String, ArrayDeque<QueuedEvent>> queues = new HashMap<>();
    private final Map<String, List<QueuedEvent>> dead = new HashMap<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private final Map<String, Map<String, byte[]>> records = new HashMap<>();
    private final Map<String, Long> aliveUntil = new HashMap<>();
    private final Map<String, String> claims = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private long nextPosition;

    private record Lease(String holder, long until) {
    }

    MemoryEventQueue(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized CompletableFuture<Void> appendEvents(List<ConnectionRecord> recs, List<NewEvent> events) {
        for (ConnectionRecord r : recs) {
            if (r.state() == null) {
                Map<String, byte[]> m = records.get(r.nodeId());
                if (m != null) {
                    m.remove(r.connectionId());
                    if (m.isEmpty()) {
                        records.remove(r.nodeId());
                    }
                }
            } else {
                records.computeIfAbsent(r.nodeId(), n -> new LinkedHashMap<>()).put(r.connectionId(), r.state().clone());
            }
        }
        append(events);
        return CompletableFuture.completedFuture(null);
    }

    /** Caller holds the lock. */
    private void append(List<NewEvent> events) {
        long now = clock.millis();
        for (NewEvent e : events) {
            if (e.counter() != null && !crossed(e.counter(), e.delta())) {
                continue;
            }
            long seq = sequences.merge(e.key(), 1L, Long::sum);
            for (String q : e.queues()) {
                queues.computeIfAbsent(q, x -> new ArrayDeque<>()).add(
                        new QueuedEvent(Long.toString(++nextPosition), e.id(), e.key(), seq, now, e.body().clone()));
            }
        }
    }

    private boolean crossed(String counter, int delta) {
        long before = counters.getOrDefault(counter, 0L);
        long after = before + delta;
        if (after <= 0) {
            counters.remove(counter);
        } else {
            counters.put(counter, after);
        }
        return delta > 0 ? before <= 0 && after > 0 : before > 0 && after <= 0;
    }

    @Override
    public synchronized CompletableFuture<Void> markAlive(String nodeId, Duration ttl) {
        aliveUntil.put(nodeId, clock.millis() + ttl.toMillis());
        return CompletableFuture.completedFuture(null);
    }

    private boolean alive(String nodeId) {
        Long until = aliveUntil.get(nodeId);
        return until != null && until > clock.millis();
    }

    @Override
    public synchronized CompletableFuture<OrphanedNode> claimOrphans(String claimer) {
        for (Map.Entry<String, Map<String, byte[]>> e : records.entrySet()) {
            String node = e.getKey();
            String claimedBy = claims.get(node);
            if (!alive(node) && (claimedBy == null || claimedBy.equals(claimer) || !alive(claimedBy))) {
                claims.put(node, claimer);
                Map<String, byte[]> copy = new LinkedHashMap<>();
                e.getValue().forEach((k, v) -> copy.put(k, v.clone()));
                return CompletableFuture.completedFuture(new OrphanedNode(node, copy));
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Boolean> settleOrphans(String deadNode, String claimer, List<NewEvent> events) {
        if (!claimer.equals(claims.get(deadNode))) {
            return CompletableFuture.completedFuture(false);
        }
        append(events);
        records.remove(deadNode);
        claims.remove(deadNode);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletableFuture<Boolean> leaseQueue(String queue, String holder, Duration ttl) {
        long now = clock.millis();
        Lease l = leases.get(queue);
        if (l == null || l.until <= now || l.holder.equals(holder)) {
            leases.put(queue, new Lease(holder, now + ttl.toMillis()));
            return CompletableFuture.completedFuture(true);
        }
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public synchronized CompletableFuture<List<QueuedEvent>> peekEvents(String queue, int max) {
        List<QueuedEvent> out = new ArrayList<>();
        ArrayDeque<QueuedEvent> q = queues.get(queue);
        if (q != null) {
            Iterator<QueuedEvent> it = q.iterator();
            while (it.hasNext() && out.size() < max) {
                out.add(it.next());
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletableFuture<Void> removeEvents(String queue, List<QueuedEvent> events, boolean deadLetter) {
        ArrayDeque<QueuedEvent> q = queues.get(queue);
        if (q != null) {
            Set<String> positions = new java.util.HashSet<>();
            events.forEach(e -> positions.add(e.position()));
            for (Iterator<QueuedEvent> it = q.iterator(); it.hasNext(); ) {
                QueuedEvent e = it.next();
                if (positions.contains(e.position())) {
                    it.remove();
                    if (deadLetter) {
                        dead.computeIfAbsent(queue, x -> new ArrayList<>()).add(e);
                    }
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<List<QueuedEvent>> deadLetters(String queue, int max) {
        List<QueuedEvent> d = dead.getOrDefault(queue, List.of());
        return CompletableFuture.completedFuture(new ArrayList<>(d.subList(0, Math.min(max, d.size()))));
    }

    @Override
    public synchronized CompletableFuture<Integer> replayDeadLetters(String queue, List<String> ids) {
        List<QueuedEvent> d = dead.get(queue);
        int moved = 0;
        if (d != null) {
            for (Iterator<QueuedEvent> it = d.iterator(); it.hasNext(); ) {
                QueuedEvent e = it.next();
                if (ids.isEmpty() || ids.contains(e.id())) {
                    it.remove();
                    queues.computeIfAbsent(queue, x -> new ArrayDeque<>()).add(new QueuedEvent(Long.toString(++nextPosition),
                            e.id(), e.key(), e.seq(), e.createdAt(), e.body()));
                    moved++;
                }
            }
        }
        return CompletableFuture.completedFuture(moved);
    }
}
