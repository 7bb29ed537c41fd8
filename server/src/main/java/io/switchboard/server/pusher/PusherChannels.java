package io.switchboard.server.pusher;

import io.switchboard.server.config.PusherApp;

/**
 * How a Pusher channel name of an app maps onto a channel of the node, and what kind of channel it is.
 *
 * <p>The mapping (docs/architecture.md, "The Pusher front door"): app {@code 1001}'s channel {@code N}
 * is the node's channel {@code pusher.1001:N'}, where {@code N'} is {@code N} with every {@code ;} written
 * as {@code :}. Pusher names never contain {@code :}, and Switchboard names never contain {@code ;}, so the
 * mapping is one-to-one and reversible; the namespace {@code pusher.1001} belongs to that app alone, so two
 * apps never share a channel.
 */
final class PusherChannels {

    /** Pusher's longest channel name. */
    static final int MAX_NAME = 164;

    /** The channel a signed-in user's connections get the server's events to that user on; the user id follows. */
    static final String USER_PREFIX = "#server-to-user-";
    /** Longest signed-in user id. */
    static final int MAX_USER_ID = 128;

    enum Kind {
        PUBLIC, PRIVATE, ENCRYPTED, PRESENCE, USER;

        /** Whether a subscribe needs the app's signature (a user channel needs the connection's sign-in instead). */
        boolean needsAuth() {
            return this != PUBLIC && this != USER;
        }

        /** Whether clients may send client events on it (private and presence, not encrypted). */
        boolean allowsClientEvents() {
            return this == PRIVATE || this == PRESENCE;
        }
    }

    private PusherChannels() {
    }

    /** Null when {@code name} is a Pusher channel name this node serves; otherwise why not, for the client. */
    static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "the channel name is missing";
        }
        if (name.length() > MAX_NAME) {
            return "the channel name is longer than " + MAX_NAME + " characters";
        }
        int from = name.startsWith(USER_PREFIX) ? USER_PREFIX.length() : 0;
        if (from > 0 && userIdProblem(name.substring(from)) != null) {
            return "the user id of " + USER_PREFIX + "... " + userIdProblem(name.substring(from));
        }
        for (int i = from; i < name.length(); i++) {
            if (!allowed(name.charAt(i))) {
                return name.startsWith("#") ? "the only channels starting with # are " + USER_PREFIX + "<user id>"
                        : "the channel name has a character outside A-Z a-z 0-9 _ - = @ , . ; at index " + i;
            }
        }
        if (name.startsWith("private-encrypted-") && name.length() == "private-encrypted-".length()
                || name.equals("private-") || name.equals("presence-") || name.equals("cache-")
                || name.equals("private-cache-") || name.equals("presence-cache-") || name.equals("private-encrypted-cache-")) {
            return "the channel name has nothing after its prefix";
        }
        return null;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
    }

    /** Null when {@code id} may be a signed-in user's id (1 to 128 of the channel name characters); otherwise why not. */
    static String userIdProblem(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_USER_ID) {
            return "must be 1 to " + MAX_USER_ID + " characters";
        }
        for (int i = 0; i < id.length(); i++) {
            if (!allowed(id.charAt(i))) {
                return "has a character outside A-Z a-z 0-9 _ - = @ , . ; at index " + i;
            }
        }
        return null;
    }

    static Kind kind(String name) {
        if (name.startsWith(USER_PREFIX)) {
            return Kind.USER;
        }
        if (name.startsWith("private-encrypted-")) {
            return Kind.ENCRYPTED;
        }
        if (name.startsWith("private-")) {
            return Kind.PRIVATE;
        }
        if (name.startsWith("presence-")) {
            return Kind.PRESENCE;
        }
        return Kind.PUBLIC;
    }

    /** Whether {@code name} is a cache channel: {@code cache-}, {@code private-cache-}, {@code private-encrypted-cache-}, {@code presence-cache-}. */
    static boolean cached(String name) {
        return name.startsWith("cache-") || name.startsWith("private-cache-") || name.startsWith("presence-cache-")
                || name.startsWith("private-encrypted-cache-");
    }

    /** The node's channel for the app's channel {@code name} (a valid Pusher name). */
    static String internal(PusherApp app, String name) {
        return (cached(name) ? app.cacheNamespace() : app.namespace()) + ":" + name.replace(';', ':');
    }

    /** The app's channel name for the node's channel {@code internal}, or null when it is not one of the app's. */
    static String external(PusherApp app, String internal) {
        for (String ns : new String[] {app.namespace(), app.cacheNamespace()}) {
            String prefix = ns + ":";
            if (internal.startsWith(prefix)) {
                return internal.substring(prefix.length()).replace(':', ';');
            }
        }
        return null;
    }
}
