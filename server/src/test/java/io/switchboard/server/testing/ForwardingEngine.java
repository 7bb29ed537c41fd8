package io.switchboard.server.testing;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An engine that hands every call to a real one; test engines override the calls they change.
 */
public abstract class ForwardingEngine implements Engine {

    protected final Engine real;

    protected ForwardingEngine(Engine real) {
        this.real = real;
    }

    @Override
    public CompletableFuture<HistoryResult> history(String channel, HistoryQuery query, StreamOptions stream) {
        return real.history(channel, query, stream);
    }

    @Override
    public CompletableFuture<Void> start(PublicationSink sink) {
        return real.start(sink);
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        return real.publish(request);
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        return real.subscribe(channel);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String channel) {
        return real.unsubscribe(channel);
    }

    @Override
    public CompletableFuture<Void> presenceJoin(String channel, PresenceEntry entry, Duration ttl) {
        return real.presenceJoin(channel, entry, ttl);
    }

    @Override
    public CompletableFuture<Void> presenceLeave(String channel, String clientId) {
        return real.presenceLeave(channel, clientId);
    }

    @Override
    public CompletableFuture<io.switchboard.server.engine.PresencePage> presencePage(String channel, String after, int limit) {
        return real.presencePage(channel, after, limit);
    }

    @Override
    public CompletableFuture<Void> broadcastControl(byte[] message) {
        return real.broadcastControl(message);
    }

    @Override
    public CompletableFuture<Void> reportNode(String nodeId, byte[] stats, Duration ttl) {
        return real.reportNode(nodeId, stats, ttl);
    }

    @Override
    public CompletableFuture<java.util.Map<String, byte[]>> nodes() {
        return real.nodes();
    }

    @Override
    public boolean isReady() {
        return real.isReady();
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public void close() {
        real.close();
    }

    // ---- the backend's events ----

    @Override
    public CompletableFuture<Void> appendEvents(List<ConnectionRecord> records, List<NewEvent> events) {
        return real.appendEvents(records, events);
    }

    @Override
    public CompletableFuture<Void> markAlive(String nodeId, Duration ttl) {
        return real.markAlive(nodeId, ttl);
    }

    @Override
    public CompletableFuture<OrphanedNode> claimOrphans(String claimer) {
        return real.claimOrphans(claimer);
    }

    @Override
    public CompletableFuture<Boolean> settleOrphans(String deadNode, String claimer, List<NewEvent> events) {
        return real.settleOrphans(deadNode, claimer, events);
    }

    @Override
    public CompletableFuture<Boolean> leaseQueue(String queue, String holder, Duration ttl) {
        return real.leaseQueue(queue, holder, ttl);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> peekEvents(String queue, int max) {
        return real.peekEvents(queue, max);
    }

    @Override
    public CompletableFuture<Void> removeEvents(String queue, List<QueuedEvent> events, boolean deadLetter) {
        return real.removeEvents(queue, events, deadLetter);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> deadLetters(String queue, int max) {
        return real.deadLetters(queue, max);
    }

    @Override
    public CompletableFuture<Integer> replayDeadLetters(String queue, List<String> ids) {
        return real.replayDeadLetters(queue, ids);
    }
}
