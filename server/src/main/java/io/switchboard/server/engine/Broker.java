package io.switchboard.server.engine;

import java.util.concurrent.CompletableFuture;

/**
 * Live delivery of channels to this node: publications (and presence changes) of every channel the node
 * subscribed to reach the {@link PublicationSink} given to {@link Engine#start}, one channel's in its
 * stream's order, each at most once; what the node may have missed is reported with
 * {@link PublicationSink#onGap}, never skipped silently.
 */
public interface Broker {

    /**
     * Tells the engine this node has local subscribers of a channel. Completes when delivery is live: every
     * publication accepted after that is delivered. A failed future means the node is not subscribed.
     * Subscribing a channel that is already subscribed is a no-op that completes when the first one does.
     */
    CompletableFuture<Void> subscribe(String channel);

    /**
     * Tells the engine this node has no more local subscribers of a channel; deliveries stop soon after (an
     * implementation may wait a little in case a subscriber comes back). Never fails.
     */
    CompletableFuture<Void> unsubscribe(String channel);
}
