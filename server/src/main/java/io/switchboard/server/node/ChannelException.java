package io.switchboard.server.node;

import io.switchboard.protocol.ErrorCode;
import java.util.concurrent.CompletionException;

/**
 * A channel operation refused or failed, with the protocol's error code: every front door turns it into
 * its own wire form (an {@code error} envelope, an HTTP status with a JSON body). Thrown by the checks of
 * {@link ChannelService}, and the failure of its futures when the engine failed ({@code unavailable}).
 */
public final class ChannelException extends RuntimeException {

    private final ErrorCode code;

    public ChannelException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /**
     * The channel error a failed future stands for: a {@code ChannelException} as it is, anything else (the
     * engine failed) as {@code unavailable} with {@code what} and the failure's own message.
     */
    public static ChannelException of(Throwable failure, String what) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof ChannelException c) {
            return c;
        }
        return new ChannelException(ErrorCode.UNAVAILABLE, what + ": " + (t.getMessage() == null ? t.toString() : t.getMessage()));
    }
}
