package io.switchboard.protocol;

/**
 * The one table of WebSocket close codes the server uses. The ranges carry the rule clients obey:
 * 1001, 1006 and 4000-4499 mean "reconnect with backoff"; 4500-4999 mean "do not reconnect until
 * something changes" (a new token, a new client version, a new configuration).
 */
public enum CloseCode {
    NORMAL(1000, "normal", "The connection was closed on purpose and is finished."),
    GOING_AWAY(1001, "going_away", "The server is shutting down or draining; reconnect, ideally to another node."),
    INVALID_PAYLOAD(1007, "invalid_utf8", "A text frame was not valid UTF-8."),
    PROTOCOL_ERROR(1002, "protocol_error", "The WebSocket framing was broken."),
    TOO_BIG(1009, "too_big", "A frame (or a fragmented message) exceeded the frame size limit."),
    INTERNAL(1011, "internal", "An unexpected server fault."),

    HEARTBEAT_TIMEOUT(4000, "heartbeat_timeout", "No pong arrived within the heartbeat timeout."),
    SLOW_CONSUMER(4001, "slow_consumer", "More bytes were queued for the connection than its bound allows."),
    TOO_MANY_ERRORS(4002, "too_many_errors", "Too many bad commands in a short time."),
    RATE_LIMITED(4003, "rate_limited", "The connection kept exceeding its command rate after being warned."),
    TOKEN_EXPIRED(4004, "token_expired", "The token expired; get a new one, then reconnect."),
    SERVER_RESTART(4005, "rebalance", "The server asked the client to move; reconnect with backoff."),
    CONNECTION_LIMIT(4006, "connection_limit", "The user or address already has as many connections as allowed."),

    UNAUTHORIZED(4500, "unauthorized", "The token is missing, malformed or wrongly signed."),
    FORBIDDEN(4501, "forbidden", "The connection is not allowed (its Origin is not on the allow-list)."),
    UNSUPPORTED_VERSION(4502, "unsupported_version", "None of the offered protocol versions is spoken by this server."),
    DISCONNECTED(4503, "disconnected", "The server's operator or the app's backend ended the connection (server API); do not reconnect on your own.");

    private final int code;
    private final String reason;
    private final String description;

    CloseCode(int code, String reason, String description) {
        this.code = code;
        this.reason = reason;
        this.description = description;
    }

    public int code() {
        return code;
    }

    /** The short reason phrase sent in the close frame. */
    public String reason() {
        return reason;
    }

    public String description() {
        return description;
    }

    /** True when a client should reconnect (with backoff) after this close. */
    public boolean shouldReconnect() {
        return shouldReconnect(code);
    }

    /** The reconnect rule for any close code, known to this build or not. */
    public static boolean shouldReconnect(int code) {
        if (code >= 4500 && code <= 4999) {
            return false;
        }
        if (code >= 4000 && code <= 4499) {
            return true;
        }
        // 1000 is a deliberate end; protocol violations and oversize frames would repeat.
        return code == 1001 || code == 1006 || code == 1011 || code == 1012 || code == 1013 || code == 1014;
    }

    public static CloseCode fromCode(int code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
