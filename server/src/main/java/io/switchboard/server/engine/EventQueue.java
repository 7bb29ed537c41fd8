package io.switchboard.server.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster's queues of events for the backend (webhooks), and what makes them complete: a record of each
 * node's connections, so that when a node dies the survivors can produce its connections' last events.
 * The node decides what an event says and which queues want it; the engine keeps the queues, numbers events
 * per ordering key, and makes each step below atomic. Queue and key names are opaque to the engine.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>{@link #appendEvents} is one atomic step: its records are written and its events appended together
 *       or not at all. A queue holds its events in append order; an event's sequence number is one more than
 *       the previous event of the same ordering key, cluster-wide, so one key's events are in sequence
 *       order in every queue.</li>
 *   <li>Nothing appended is removed except by {@link #removeEvents}; a queue survives the node that appended
 *       to it (in Redis) or lives as long as the process (in memory).</li>
 *   <li>A dead node's records are handed to one claimer at a time, and {@link #settleOrphans} turns them into
 *       events once: its events are appended exactly when the records are forgotten.</li>
 * </ul>
 * A failed future means the outcome is unknown unless the method says otherwise; every step may be retried.
 */
public interface EventQueue {

    /**
     * Writes the connection records (a null state forgets one) and appends the events, in order, as one step.
     * An event with a {@link NewEvent#counter()} first changes that counter by its delta and is appended only
     * if the counter crossed zero: went from 0 to positive (delta &gt; 0) or came down to 0 or below (delta
     * &lt; 0, and the counter is then removed).
     */
    CompletableFuture<Void> appendEvents(List<ConnectionRecord> records, List<NewEvent> events);

    /** Says that {@code nodeId} is alive for {@code ttl}; a node that stops saying so is dead once it runs out. */
    CompletableFuture<Void> markAlive(String nodeId, Duration ttl);

    /**
     * Claims, for {@code claimer}, the records of one node that has some and is not alive (and is not claimed by
     * a live claimer); completes with null when there is none. The claim holds until settled, or until the
     * claimer itself is no longer alive, when another may claim the same node again.
     */
    CompletableFuture<OrphanedNode> claimOrphans(String claimer);

    /**
     * If {@code claimer} still holds the claim on {@code deadNode}: appends {@code events} (as
     * {@link #appendEvents} does) and forgets the dead node's records, in one step, and completes with true;
     * otherwise does nothing and completes with false.
     */
    CompletableFuture<Boolean> settleOrphans(String deadNode, String claimer, List<NewEvent> events);

    /**
     * Takes or renews the delivery lease of {@code queue} for {@code holder} for {@code ttl}; true when
     * {@code holder} holds it now. Only the holder delivers, so a queue is delivered by one node at a time.
     */
    CompletableFuture<Boolean> leaseQueue(String queue, String holder, Duration ttl);

    /** The oldest {@code max} events of the queue, oldest first; nothing is removed. */
    CompletableFuture<List<QueuedEvent>> peekEvents(String queue, int max);

    /**
     * Removes events (by {@link QueuedEvent#position()}) from the queue: delivered ones, or, with
     * {@code deadLetter}, ones given up on, which are added to the end of the queue's dead-letter list in the
     * same step. Positions no longer in the queue are ignored.
     */
    CompletableFuture<Void> removeEvents(String queue, List<QueuedEvent> events, boolean deadLetter);

    /** The oldest {@code max} dead letters of the queue, oldest first. */
    CompletableFuture<List<QueuedEvent>> deadLetters(String queue, int max);

    /**
     * Moves the dead letters with these event ids (all of them when {@code ids} is empty) back to the end of
     * the queue, in their dead-letter order, keeping their ids and sequence numbers; returns how many moved.
     */
    CompletableFuture<Integer> replayDeadLetters(String queue, List<String> ids);

    /**
     * An event to append.
     *
     * @param id      unique id (the receiver de-duplicates by it)
     * @param key     the ordering key the sequence number counts in, e.g. {@code user:alice}
     * @param queues  the queues that want it (one per endpoint)
     * @param body    the event as a JSON object, without its sequence number
     * @param counter null, or a counter this event is conditional on (see {@link #appendEvents})
     * @param delta   the counter's change; 0 without a counter
     */
    record NewEvent(String id, String key, List<String> queues, byte[] body, String counter, int delta) {
        public static NewEvent plain(String id, String key, List<String> queues, byte[] body) {
            return new NewEvent(id, key, queues, body, null, 0);
        }
    }

    /**
     * An event in a queue.
     *
     * @param position  where it is in its queue (opaque; for {@link #removeEvents})
     * @param createdAt milliseconds since the epoch when it was first appended (kept on replay)
     */
    record QueuedEvent(String position, String id, String key, long seq, long createdAt, byte[] body) {
    }

    /** A connection of a node as the node recorded it, or (state null) its removal. */
    record ConnectionRecord(String nodeId, String connectionId, byte[] state) {
    }

    /** A dead node's connection records, by connection id, handed to one claimer. */
    record OrphanedNode(String nodeId, java.util.Map<String, byte[]> connections) {
    }
}
