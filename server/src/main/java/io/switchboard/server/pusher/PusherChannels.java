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

    enum Kind {
        PUBLIC, PRIVATE, ENCRYPTED, PRESENCE;

        /** Whether a subscribe needs the app's signature. */
        boolean needsAuth() {
            return this != PUBLIC;
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
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
            if (!ok) {
                return name.startsWith("#") ? "channels starting with # (user sign-in) are not supported here"
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

    static Kind kind(String name) {
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
