package io.switchboard.server.auth;

/**
 * Who a connection belongs to, as established at the handshake (or by a later refresh).
 *
 * @param userId          the token's {@code sub}; "" for an anonymous connection
 * @param expiresAtMillis when the token stops being valid, or {@link Long#MAX_VALUE} for never
 */
public record Principal(String userId, boolean anonymous, long expiresAtMillis) {

    public static final Principal ANONYMOUS = new Principal("", true, Long.MAX_VALUE);

    public boolean expires() {
        return expiresAtMillis != Long.MAX_VALUE;
    }
}
