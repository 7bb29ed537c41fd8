package io.switchboard.server.engine.memory;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single-node engine: live delivery within this process, nothing shared, nothing else to run.
 * Each channel's publishes are serialised on a lock striped by channel name, so a channel's
 * publications reach the sink in the order they were accepted.
 */
public final class MemoryEngine implements Engine {

    private static final int STRIPES = 256;

    private final Object[] locks = new Object[STRIPES];
    // Channels with local subscribers; concurrent set, written by subscribe/unsubscribe from any thread.
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    // Set once by start(); read by publishing threads.
    private volatile PublicationSink sink;
    private volatile boolean closed;

    public MemoryEngine() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public CompletableFuture<Void> start(PublicationSink sink) {
        this.sink = sink;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        if (closed || sink == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("engine is not running"));
        }
        String channel = request.channel();
        synchronized (lockFor(channel)) {
            if (subscribed.contains(channel)) {
                sink.onPublication(new Publication(channel, request.payload(), request.from(), -1, null,
                        System.currentTimeMillis()));
            }
        }
        return CompletableFuture.completedFuture(PublishResult.NO_POSITION);
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
    }

    private Object lockFor(String channel) {
        return locks[(channel.hashCode() & 0x7fffffff) % STRIPES];
    }
}
