package io.switchboard.server.engine;

import java.util.concurrent.CompletableFuture;

/**
 * Channels' publications and their history streams, shared by every node of the cluster.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>For a channel with history ({@link PublishRequest#stream()} given), appending to the stream and
 *       delivering to the subscribed nodes are one atomic step per channel: offsets grow by exactly one per
 *       publication, with no hole and no repeat, and every node receives them in that order.</li>
 *   <li>An idempotency key seen for the same channel and publisher ({@link PublishRequest#idempotencyIdentity()})
 *       within its window gets the original result; nothing is published again.</li>
 * </ul>
 */
public interface Streams {

    /**
     * Publishes to every node subscribed to the channel (through its {@link Broker}), after appending to the
     * channel's stream when it has one.
     *
     * @return the publication's position ({@link PublishResult#NO_POSITION} without history). A failed future
     *         means the outcome is unknown: it may or may not have been stored and delivered. Retrying with the
     *         same idempotency key is safe and gets the original result if it was.
     */
    CompletableFuture<PublishResult> publish(PublishRequest request);

    /**
     * Reads a channel's stream; a channel that never had a publication gets a new, empty stream (with a new
     * epoch), so that its position can be recorded by a subscriber. A failed future means nothing was read
     * (the stream may still have been created).
     */
    CompletableFuture<HistoryResult> history(String channel, HistoryQuery query, StreamOptions stream);
}
