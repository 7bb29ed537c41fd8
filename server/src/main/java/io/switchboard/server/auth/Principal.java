package io.switchboard.server.auth;

import java.util.List;

/**
 * Who a connection belongs to, as established at the handshake (or by a later refresh).
 *
 * @param userId          the token's {@code sub}; "" for an anonymous connection
 * @param expiresAtMillis when the token's {@code exp} says it stops being valid, or {@link Long#MAX_VALUE}
 * @param channels        the token's {@code channels} claim: channel names, or prefixes ending in {@code *},
 *                        that namespaces with {@code claim} access admit this user to; empty when absent
 * @param info            raw JSON of the token's {@code info} claim (shown in presence), or null
 * @param subscribe       the token's {@code subscribe} claim (or the connect hook's {@code subscribe}): channels
 *                        the server subscribes the connection to when it opens (server-side subscriptions)
 */
public record Principal(String userId, boolean anonymous, long expiresAtMillis, List<String> channels, byte[] info,
                        List<String> subscribe) {

    public static final Principal ANONYMOUS = new Principal("", true, Long.MAX_VALUE, List.of(), null);

    public Principal {
        subscribe = subscribe == null ? List.of() : List.copyOf(subscribe);
    }

    /** A principal without server-side subscriptions. */
    public Principal(String userId, boolean anonymous, long expiresAtMillis, List<String> channels, byte[] info) {
        this(userId, anonymous, expiresAtMillis, channels, info, List.of());
    }

    public boolean expires() {
        return expiresAtMillis != Long.MAX_VALUE;
    }

    /** True when the {@code channels} claim names {@code channel}, exactly or by a {@code prefix*} pattern. */
    public boolean claims(String channel) {
        for (String c : channels) {
            if (c.endsWith("*") ? channel.startsWith(c.substring(0, c.length() - 1)) : c.equals(channel)) {
                return true;
            }
        }
        return false;
    }

    /** Longest accepted user id in UTF-8 bytes, so that a push's fixed fields stay within their room. */
    public static final int MAX_USER_ID = 255;

    /**
     * Null when a user id fits the room a push reserves for it: at most {@value #MAX_USER_ID} bytes of
     * UTF-8 and no control characters (which JSON would have to escape six bytes apiece).
     */
    public static String userIdProblem(String userId) {
        if (userId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_USER_ID) {
            return "the token's sub is longer than " + MAX_USER_ID + " bytes";
        }
        for (int i = 0; i < userId.length(); i++) {
            if (userId.charAt(i) < 0x20 || userId.charAt(i) == 0x7f) {
                return "the token's sub contains a control character";
            }
        }
        return null;
    }
}
