package io.switchboard.server.metrics;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.engine.StreamOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An engine that times every call of the engine it wraps ({@code switchboard_engine_rtt_seconds} by
 * operation) and counts failures. Adds no behaviour of its own.
 */
public final class MeasuredEngine implements Engine {

    private final Engine engine;
    private final Metrics metrics;

    public MeasuredEngine(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    /** The engine being measured. */
    public Engine unwrap() {
        return engine;
    }

    private <T> CompletableFuture<T> timed(String op, CompletableFuture<T> call, long start) {
        return call.whenComplete((r, failure) -> metrics.engineCall(op, System.nanoTime() - start, failure != null));
    }

    @Override
    public CompletableFuture<Void> start(PublicationSink sink) {
        return engine.start(sink);
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        long start = System.nanoTime();
        return timed("publish", engine.publish(request), start);
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        long start = System.nanoTime();
        return timed("subscribe", engine.subscribe(channel), start);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String channel) {
        long start = System.nanoTime();
        return timed("unsubscribe", engine.unsubscribe(channel), start);
    }

    @Override
    public CompletableFuture<HistoryResult> history(String channel, HistoryQuery query, StreamOptions stream) {
        long start = System.nanoTime();
        return timed("history", engine.history(channel, query, stream), start);
    }

    @Override
    public CompletableFuture<Void> presenceJoin(String channel, PresenceEntry entry, Duration ttl) {
        long start = System.nanoTime();
        return timed("presence_join", engine.presenceJoin(channel, entry, ttl), start);
    }

    @Override
    public CompletableFuture<Void> presenceLeave(String channel, String clientId) {
        long start = System.nanoTime();
        return timed("presence_leave", engine.presenceLeave(channel, clientId), start);
    }

    @Override
    public CompletableFuture<io.switchboard.server.engine.PresencePage> presencePage(String channel, String after, int limit) {
        long start = System.nanoTime();
        return timed("presence", engine.presencePage(channel, after, limit), start);
    }

    @Override
    public CompletableFuture<Void> broadcastControl(byte[] message) {
        long start = System.nanoTime();
        return timed("control", engine.broadcastControl(message), start);
    }

    @Override
    public CompletableFuture<Void> reportNode(String nodeId, byte[] stats, Duration ttl) {
        long start = System.nanoTime();
        return timed("report_node", engine.reportNode(nodeId, stats, ttl), start);
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> nodes() {
        long start = System.nanoTime();
        return timed("nodes", engine.nodes(), start);
    }

    @Override
    public boolean isReady() {
        return engine.isReady();
    }

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public void close() {
        engine.close();
    }

    // ---- the backend's events ----

    @Override
    public CompletableFuture<Void> appendEvents(List<ConnectionRecord> records, List<NewEvent> events) {
        long start = System.nanoTime();
        return timed("append_events", engine.appendEvents(records, events), start);
    }

    @Override
    public CompletableFuture<Void> markAlive(String nodeId, Duration ttl) {
        long start = System.nanoTime();
        return timed("mark_alive", engine.markAlive(nodeId, ttl), start);
    }

    @Override
    public CompletableFuture<OrphanedNode> claimOrphans(String claimer) {
        long start = System.nanoTime();
        return timed("claim_orphans", engine.claimOrphans(claimer), start);
    }

    @Override
    public CompletableFuture<Boolean> settleOrphans(String deadNode, String claimer, List<NewEvent> events) {
        long start = System.nanoTime();
        return timed("settle_orphans", engine.settleOrphans(deadNode, claimer, events), start);
    }

    @Override
    public CompletableFuture<Boolean> leaseQueue(String queue, String holder, Duration ttl) {
        long start = System.nanoTime();
        return timed("lease_queue", engine.leaseQueue(queue, holder, ttl), start);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> peekEvents(String queue, int max) {
        long start = System.nanoTime();
        return timed("peek_events", engine.peekEvents(queue, max), start);
    }

    @Override
    public CompletableFuture<Void> removeEvents(String queue, List<QueuedEvent> events, boolean deadLetter) {
        long start = System.nanoTime();
        return timed("remove_events", engine.removeEvents(queue, events, deadLetter), start);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> deadLetters(String queue, int max) {
        long start = System.nanoTime();
        return timed("dead_letters", engine.deadLetters(queue, max), start);
    }

    @Override
    public CompletableFuture<Integer> replayDeadLetters(String queue, List<String> ids) {
        long start = System.nanoTime();
        return timed("replay_dead_letters", engine.replayDeadLetters(queue, ids), start);
    }
}
