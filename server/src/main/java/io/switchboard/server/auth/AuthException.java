package io.switchboard.server.auth;

import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;

/** A token that was refused, with the error and close codes the client is told. */
public final class AuthException extends Exception {

    private final ErrorCode errorCode;
    private final CloseCode closeCode;

    public AuthException(ErrorCode errorCode, CloseCode closeCode, String message) {
        super(message);
        this.errorCode = errorCode;
        this.closeCode = closeCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public CloseCode closeCode() {
        return closeCode;
    }

    public static AuthException unauthorized(String message) {
        return new AuthException(ErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED, message);
    }

    public static AuthException expired(String message) {
        return new AuthException(ErrorCode.TOKEN_EXPIRED, CloseCode.TOKEN_EXPIRED, message);
    }

    /** The node cannot check the token yet (its JWKS has not loaded): retry with backoff, perhaps elsewhere. */
    public static AuthException unavailable(String message) {
        return new AuthException(ErrorCode.UNAVAILABLE, CloseCode.GOING_AWAY, message);
    }
}
