package io.switchboard.server.engine;

import java.util.concurrent.CompletableFuture;

/**
 * The state nodes share, as one object: {@link Streams} (publish and history), {@link Broker} (live
 * delivery to this node), {@link PresenceStore}, {@link ClusterBus} and
 * {@link EventQueue} (the backend's events). The node's parts each take the
 * narrow interface they use; the in-memory engine serves a single node, the Redis engine (with Redis
 * pub/sub or NATS as its broker) a cluster. Futures returned here may complete on any thread; callers must
 * not block on them.
 */
public interface Engine extends Streams, Broker, PresenceStore, ClusterBus, EventQueue, AutoCloseable {

    /** Starts the engine; deliveries of subscribed channels go to {@code sink} from then on. */
    CompletableFuture<Void> start(PublicationSink sink);

    /** True while the engine can serve publishes and subscriptions (used by {@code /readyz}). */
    boolean isReady();

    /** A short name for logs, the banner and node info, e.g. {@code memory}. */
    String name();

    @Override
    void close();
}
