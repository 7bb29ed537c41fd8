package io.switchboard.server.api;

import io.switchboard.protocol.ErrorCode;

/** A refusal with a protocol error code, turned into an HTTP error reply. */
final class ApiException extends RuntimeException {
    final ErrorCode code;
    final int status;

    ApiException(ErrorCode code, String message) {
        this(code, ServerApi.status(code), message);
    }

    ApiException(ErrorCode code, int status, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    ServerApi.Reply reply() {
        return new ServerApi.Reply(status, ServerApi.errorBody(code, getMessage()));
    }
}

