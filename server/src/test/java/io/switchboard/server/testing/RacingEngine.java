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
 * An engine that forces the race recovery must survive: just before a history read of a channel it
 * publishes one message there, so the message lands after the live subscription started but before
 * the read. Everything else goes to the real engine.
 */
public final class RacingEngine implements Engine {

    private final Engine real;
    /** When set, the next history read of this request's channel first publishes it. */
    public final AtomicReference<PublishRequest> publishBeforeNextRead = new AtomicReference<>();

    public RacingEngine(Engine real) {
        this.real = real;
    }

    @Override
    public CompletableFuture<HistoryResult> history(String channel, HistoryQuery query, StreamOptions stream) {
        PublishRequest r = publishBeforeNextRead.get();
        if (r != null && r.channel().equals(channel) && publishBeforeNextRead.compareAndSet(r, null)) {
            real.publish(r).join();
        }
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
    public CompletableFuture<List<PresenceEntry>> presence(String channel) {
        return real.presence(channel);
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
        return "racing(" + real.name() + ")";
    }

    @Override
    public void close() {
        real.close();
    }
}
