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

    /** A user joined or left the channel (channels with presence and join-leave events). */
    default void onPresence(PresenceEvent event) {
    }
}
