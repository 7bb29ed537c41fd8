package io.switchboard.client;

import java.time.Duration;

/**
 * One lost connection, as {@link ConnectionListener#onDisconnected} and {@link ConnectionListener#onClosed}
 * see it. Immutable.
 *
 * @param code      the WebSocket close code: the server's, 1006 when the connection dropped without a close
 *                  frame (or could not be opened), 4000 when the client itself found the connection silent
 * @param reason    the close frame's reason text or, when it had none, the message of the connection-level
 *                  {@code error} the server sent just before (e.g. why a token was refused)
 * @param willRetry whether the client will reconnect by itself
 * @param retryIn   the delay before the next attempt when {@code willRetry}, otherwise null
 * @param error     the server's connection-level error that explained the close (code {@code unauthorized},
 *                  {@code token_expired}, ...), or the client's own failure; null when there was none
 */
public record Disconnect(int code, String reason, boolean willRetry, Duration retryIn, SwitchboardException error) {
}
