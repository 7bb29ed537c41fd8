package io.switchboard.client;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the client's logic and a WebSocket implementation. The client only opens sockets,
 * sends whole text messages and reacts to whole text messages, closes and failures, so a test can
 * replace the network with a recorder. Implementations must be thread-safe.
 */
interface Transport {

    String SUBPROTOCOL = "switchboard.v1.json";

    /**
     * Opens a WebSocket to {@code uri} offering {@link #SUBPROTOCOL}, with the token (if any) as a bearer
     * token. The returned future fails when the socket could not be opened; on success
     * {@link Listener#onOpen} has already been called.
     */
    CompletableFuture<Void> open(URI uri, String token, Duration timeout, Listener listener);

    /** As {@link #open(URI, String, Duration, Listener)}, offering {@code subprotocol} instead. */
    default CompletableFuture<Void> open(URI uri, String token, Duration timeout, String subprotocol, Listener listener) {
        if (!SUBPROTOCOL.equals(subprotocol)) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("this transport speaks " + SUBPROTOCOL + " only"));
        }
        return open(uri, token, timeout, listener);
    }

    /** One open socket. */
    interface Connection {
        /** Sends one text message; the next may only be sent once the returned future completed. */
        CompletableFuture<Void> sendText(String text);

        /** Sends one binary message; the same one-at-a-time rule. */
        default CompletableFuture<Void> sendBinary(byte[] bytes) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("no binary messages on this transport"));
        }

        /** Starts the closing handshake. */
        void close(int code, String reason);

        /** Drops the socket at once, without a closing handshake. */
        void abort();
    }

    /** What the socket reports, in order, one call at a time. */
    interface Listener {
        void onOpen(Connection connection);

        /** One whole text message (fragments already joined). */
        void onText(String text);

        /** One whole binary message (fragments already joined). */
        default void onBinary(byte[] bytes) {
        }

        /** The server's close frame. */
        void onClose(int code, String reason);

        /** The socket failed or dropped without a close frame. */
        void onError(Throwable error);
    }
}
