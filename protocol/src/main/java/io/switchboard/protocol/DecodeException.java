package io.switchboard.protocol;

/** A frame that could not be decoded at all: not JSON, truncated, too deep, or not an object or array. */
public final class DecodeException extends Exception {

    private final ErrorCode code;

    public DecodeException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public DecodeException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
