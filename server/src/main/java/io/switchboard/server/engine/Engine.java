package io.switchboard.server.engine;

import java.util.concurrent.CompletableFuture;

/**
 * The one interface to state shared between nodes: live delivery (broker), history streams and
 * presence. A node's hub talks only to this; the in-memory engine serves a single node, the Redis and
 * NATS engines serve a cluster.
 *
 * <p>The contract every implementation keeps:
 * <ul>
 *   <li>Publications of one channel are delivered to every subscribed node in one order, the order in
 *       which {@link #publish} accepted them, and each at most once per node.</li>
 *   <li>For channels with history, appending to the stream and publishing are one atomic step per
 *       channel: offsets grow by exactly one per publication, with no holes and no duplicates.</li>
 *   <li>A future returned here may complete on any thread; callers must not block on it.</li>
 * </ul>
 * <ul>
 *   <li>An idempotency key seen for a channel within its window gets the original result, and nothing
 *       is published again.</li>
 *   <li>Presence entries live for the TTL given when they join; the owning node refreshes them, so the
 *       entries of a node that died disappear by themselves (announced as {@code offline}).</li>
 * </ul>
 */
public interface Engine extends AutoCloseable {

    /** Starts the engine; publications of subscribed channels go to {@code sink} from then on. */
    CompletableFuture<Void> start(PublicationSink sink);

    /** Publishes to every node subscribed to the channel. */
    CompletableFuture<PublishResult> publish(PublishRequest request);

    /** Tells the engine this node has local subscribers of a channel; completes when delivery is live. */
    CompletableFuture<Void> subscribe(String channel);

    /** Tells the engine this node has no more local subscribers of a channel. */
    CompletableFuture<Void> unsubscribe(String channel);

    /** Reads a channel's stream; a channel that never had a publication gets a new, empty stream. */
    CompletableFuture<HistoryResult> history(String channel, HistoryQuery query, StreamOptions stream);

    /** Adds or refreshes a connection's presence in a channel for {@code ttl}. */
    CompletableFuture<Void> presenceJoin(String channel, PresenceEntry entry, java.time.Duration ttl);

    /** Removes a connection's presence. */
    CompletableFuture<Void> presenceLeave(String channel, String clientId);

    /** Everyone present in a channel, one entry per connection. */
    CompletableFuture<java.util.List<PresenceEntry>> presence(String channel);

    /**
     * Sends a control message (the server API's disconnect and unsubscribe, as JSON bytes) to every node
     * of the cluster, this one included, through {@link PublicationSink#onControl}. A single-node engine
     * hands it straight back to its own sink.
     */
    CompletableFuture<Void> broadcastControl(byte[] message);

    /**
     * Records this node's current figures (JSON bytes, see {@code NodeStats}) so that any node can list the
     * cluster; an entry not reported again within {@code ttl} disappears (the node died).
     */
    CompletableFuture<Void> reportNode(String nodeId, byte[] stats, java.time.Duration ttl);

    /** Every live node's last report, by node id; a single-node engine knows only its own. */
    CompletableFuture<java.util.Map<String, byte[]>> nodes();

    /** True while the engine can serve publishes and subscriptions (used by {@code /readyz}). */
    boolean isReady();

    /** A short name for logs, the banner and node info, e.g. {@code memory}. */
    String name();

    @Override
    void close();
}
