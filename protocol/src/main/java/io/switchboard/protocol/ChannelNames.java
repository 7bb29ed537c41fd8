package io.switchboard.protocol;

/**
 * The rules for channel names, shared by the server and the clients.
 * A name is 1 to {@value #MAX_LENGTH} characters from {@code A-Z a-z 0-9 _ - = @ . : # , /}; the part
 * before the first {@code :} is the namespace (empty when there is no colon, or the name is invalid when
 * the namespace part is empty).
 */
public final class ChannelNames {

    public static final int MAX_LENGTH = 255;

    private ChannelNames() {
    }

    /** Null when the name is valid, otherwise a sentence saying why not. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "channel name is empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "channel name is longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!allowed(c)) {
                return "channel name has a character outside A-Z a-z 0-9 _ - = @ . : # , / at index " + i;
            }
        }
        if (name.charAt(0) == ':') {
            return "channel name has an empty namespace before ':'";
        }
        return null;
    }

    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /** The namespace of a valid name: the part before the first colon, or "" for none. */
    public static String namespace(String name) {
        int colon = name.indexOf(':');
        return colon < 0 ? "" : name.substring(0, colon);
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '=' || c == '@' || c == '.' || c == ':' || c == '#'
                || c == ',' || c == '/';
    }
}
