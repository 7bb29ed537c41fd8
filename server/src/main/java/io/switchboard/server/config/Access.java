package io.switchboard.server.config;

import java.util.Locale;

/** Who may do something on a namespace's channels. */
public enum Access {
    /** Anyone, including anonymous connections. */
    ANONYMOUS,
    /** Any connection with a valid token. */
    AUTHENTICATED,
    /** Only users whose token's {@code channels} claim names the channel (exactly or by a {@code prefix*} pattern). */
    CLAIM,
    /** Nobody over WebSocket (backends may still use the server API). */
    NONE;

    public static Access parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("access must be anonymous, authenticated, claim or none, not '" + s + "'");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
