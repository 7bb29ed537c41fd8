package io.switchboard.client;

import io.switchboard.protocol.ErrorCode;

/**
 * Why a command failed or a connection ended: a stable snake_case {@link #code()} that programs act on,
 * a message for people, and whether trying again can help. The code is either one of the server's
 * error codes (see {@link ErrorCode} and {@code docs/protocol.md}) or one of the client's own, listed
 * here as constants. Immutable.
 */
public class SwitchboardException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** No reply arrived within the command timeout (the time a command spent queued counts too). */
    public static final String TIMEOUT = "timeout";
    /** The connection dropped after the command was sent: it may or may not have been applied. */
    public static final String DISCONNECTED = "disconnected";
    /** The client is not connected and was built to fail commands fast rather than queue them. */
    public static final String NOT_CONNECTED = "not_connected";
    /** Too many commands are already waiting for a connection. */
    public static final String QUEUE_FULL = "queue_full";
    /** The client was closed, or stopped for good, before a reply came. */
    public static final String CLOSED = "closed";
    /** The command is larger than the server's {@code limits.maxFrameBytes}; the server would close the connection for it. */
    public static final String TOO_LARGE = "too_large";
    /** The token supplier threw or returned nothing; the client retries with backoff. */
    public static final String TOKEN_UNAVAILABLE = "token_unavailable";
    /** The server answered the WebSocket upgrade with an HTTP error status, or the server sent something unreadable. */
    public static final String HANDSHAKE_FAILED = "handshake_failed";

    private final String code;
    private final boolean retryable;

    public SwitchboardException(String code, String message, boolean retryable) {
        super(message == null || message.isEmpty() ? code : message);
        this.code = code;
        this.retryable = retryable;
    }

    public SwitchboardException(String code, String message, boolean retryable, Throwable cause) {
        this(code, message, retryable);
        initCause(cause);
    }

    /** The error code from the server's {@code error} envelope, or one of this class's constants. */
    public String code() {
        return code;
    }

    /** The server's error code as an enum, or null for the client's own codes and codes this build does not know. */
    public ErrorCode errorCode() {
        return ErrorCode.fromWireName(code);
    }

    /** Whether the same command can succeed later (perhaps after a reconnect or a new token). */
    public boolean retryable() {
        return retryable;
    }

    @Override
    public String toString() {
        return "SwitchboardException[" + code + (retryable ? ", retryable" : "") + "]: " + getMessage();
    }
}
