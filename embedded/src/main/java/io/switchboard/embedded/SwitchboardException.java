package io.switchboard.embedded;

/**
 * A node operation that was refused or failed, with the protocol's error code ({@code unknown_channel},
 * {@code too_large}, {@code not_available}, {@code unavailable}, ...; see docs/protocol.md). Futures of
 * {@link Switchboard} fail with it; checks that fail at once throw it.
 */
public final class SwitchboardException extends RuntimeException {

    private final String code;

    /** A failure with the protocol's error code and a message. */
    public SwitchboardException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The protocol's error code, e.g. {@code unknown_channel}. */
    public String code() {
        return code;
    }
}
