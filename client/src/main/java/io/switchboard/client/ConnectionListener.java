package io.switchboard.client;

/**
 * Connection events of one {@link SwitchboardClient}. Every method has an empty default, so implement
 * only what you need. Calls come one at a time, in the order things happened, on the client's callback
 * executor (never on its I/O thread unless you configured a direct executor). An exception thrown
 * here is logged and does not disturb the client.
 */
public interface ConnectionListener {

    /**
     * A connection attempt starts. {@code attempt} is 0 for the attempt {@link SwitchboardClient#connect()}
     * starts, and n for the n-th retry since then or since the last stable connection.
     */
    default void onConnecting(int attempt) {
    }

    /** The server's {@code welcome} arrived; subscriptions and queued commands have been sent. */
    default void onConnected(Welcome welcome) {
    }

    /** A connection (or an attempt) was lost; {@link Disconnect#willRetry()} says whether the client reconnects. */
    default void onDisconnected(Disconnect disconnect) {
    }

    /** The client stopped for good: after {@link SwitchboardClient#close()} or a close code that must not be retried. */
    default void onClosed(Disconnect last) {
    }

    /**
     * A problem not tied to one command: a connection-level {@code error} from the server (often the reason
     * for the close that follows), an unreadable frame, a token supplier that failed, a failed token refresh.
     */
    default void onError(SwitchboardException error) {
    }
}
