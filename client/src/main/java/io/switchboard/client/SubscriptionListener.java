package io.switchboard.client;

/**
 * Events of one {@link Subscription}. Only {@link #onMessage} must be implemented, so a lambda will do.
 * Calls come one at a time and in order, on the client's callback executor, and stop once
 * {@link Subscription#unsubscribe()} has returned (a call already running finishes). An exception
 * thrown here is logged and does not disturb the client or the order of later calls.
 */
@FunctionalInterface
public interface SubscriptionListener {

    /**
     * A message. On channels with history every message reaches this method exactly once and in offset
     * order, across reconnects, unless {@link #onSubscribed} reported that recovery failed.
     */
    void onMessage(Message message);

    /** The server acknowledged a subscribe: the first one, or a resubscribe after a reconnect. */
    default void onSubscribed(SubscribeResult result) {
    }

    /** A subscribe failed. Retryable failures are retried with backoff; others end the subscription. */
    default void onError(SwitchboardException error) {
    }

    /**
     * The subscription ended without {@link Subscription#unsubscribe()}: the server refused it for good
     * (e.g. {@code forbidden}, {@code unknown_channel}) or ended it, or the client was closed.
     */
    default void onUnsubscribed(SwitchboardException reason) {
    }

    /**
     * A user joined or left the channel: a {@code presenceUpdate} push, or one user of a {@link PresenceDiff}
     * when {@link #onPresenceDiff} is not overridden (channels with presence and join-leave events).
     */
    default void onPresence(PresenceEvent event) {
    }

    /**
     * One window's joins and leaves (namespaces with a {@code presence-window}). By default each user is
     * passed to {@link #onPresence}; the timestamp of those events is 0.
     */
    default void onPresenceDiff(PresenceDiff diff) {
        for (String u : diff.joins()) {
            onPresence(new PresenceEvent(diff.channel(), u, true, 0));
        }
        for (String u : diff.leaves()) {
            onPresence(new PresenceEvent(diff.channel(), u, false, 0));
        }
    }

    /**
     * The channel has more users than its namespace lists in diffs: only the count is pushed, at most once
     * per window. Read the members with {@link SwitchboardClient#presence(String, int, String)} if needed.
     */
    default void onPresenceCount(String channel, long users) {
    }
}
