package io.switchboard.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The one table of {@code error.code} values. The wire name of a code never changes once released;
 * {@code docs/protocol.md} describes each one.
 */
public enum ErrorCode {
    BAD_REQUEST("bad_request", false, "The frame or command is malformed: not JSON, a missing or wrongly typed field, too deeply nested."),
    UNKNOWN_TYPE("unknown_type", false, "The type is not one this server speaks, or not one a client may send."),
    UNSUPPORTED_VERSION("unsupported_version", false, "The envelope's v, or every offered subprotocol, is a version this server does not speak."),
    UNAUTHORIZED("unauthorized", false, "No valid token: missing, malformed, wrongly signed, or not yet valid."),
    TOKEN_EXPIRED("token_expired", true, "The token has expired; fetch a new one and reconnect or refresh."),
    FORBIDDEN("forbidden", false, "The user may not do this on this channel."),
    UNKNOWN_CHANNEL("unknown_channel", false, "The channel name is not valid, or names an unknown namespace."),
    ALREADY_SUBSCRIBED("already_subscribed", false, "This connection is already subscribed to the channel."),
    NOT_SUBSCRIBED("not_subscribed", false, "This connection is not subscribed to the channel."),
    NOT_AVAILABLE("not_available", false, "The feature (history, presence) is not enabled for this channel."),
    LIMIT_EXCEEDED("limit_exceeded", false, "A per-connection limit was reached, such as the number of channels."),
    RATE_LIMITED("rate_limited", true, "Too many commands; slow down and retry later."),
    TOO_LARGE("too_large", false, "A payload or field is over its documented size limit."),
    UNRECOVERABLE("unrecoverable", false, "The requested position can no longer be recovered."),
    REMOVED("removed", false, "The server ended the subscription on its operator's or backend's request (server API)."),
    UNAVAILABLE("unavailable", true, "The node cannot serve this now (engine down, draining); retry, perhaps elsewhere."),
    INTERNAL("internal", true, "An unexpected server fault; it is logged with the session id.");

    private static final Map<String, ErrorCode> BY_WIRE_NAME = new HashMap<>();

    static {
        for (ErrorCode c : values()) {
            BY_WIRE_NAME.put(c.wireName, c);
        }
    }

    private final String wireName;
    private final boolean retryable;
    private final String description;

    ErrorCode(String wireName, boolean retryable, String description) {
        this.wireName = wireName;
        this.retryable = retryable;
        this.description = description;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether sending the same command again, unchanged, can succeed. */
    public boolean retryable() {
        return retryable;
    }

    public String description() {
        return description;
    }

    /** The code for a wire name, or null when unknown (a newer server may send codes this build lacks). */
    public static ErrorCode fromWireName(String name) {
        return BY_WIRE_NAME.get(name);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
