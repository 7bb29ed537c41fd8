package io.switchboard.client;

import io.switchboard.protocol.StreamPosition;
import java.util.concurrent.CompletableFuture;

/**
 * A client's interest in one channel, returned at once by {@link SwitchboardClient#subscribe}. It follows
 * the connection: it is subscribed whenever the client is connected, and after every reconnect it asks
 * the server for what it missed, from the last message it delivered. Thread-safe.
 */
public interface Subscription {

    String channel();

    /** False once unsubscribed, ended by the server, or the client was closed. */
    boolean isActive();

    /** True while the server has acknowledged the current connection's subscribe. */
    boolean isSubscribed();

    /**
     * True for a subscription the server made (a {@code subscribed} push: the token's {@code subscribe} claim, the
     * connect hook, the personal channel, the server API), false for one made by {@link SwitchboardClient#subscribe}.
     */
    default boolean isServer() {
        return false;
    }

    /** The position of the last message delivered (or of the subscribe ack); null on channels without history. */
    StreamPosition position();

    /**
     * Stops the subscription. Idempotent: later calls return the same future. No listener call starts
     * after this returns. The future completes when the server confirmed (at once when not connected);
     * it never fails, since the server forgets a connection's subscriptions when the connection ends.
     */
    CompletableFuture<Void> unsubscribe();
}
