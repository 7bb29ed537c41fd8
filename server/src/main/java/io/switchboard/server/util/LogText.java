package io.switchboard.server.util;

/**
 * Makes a string safe to put in a log line: control characters (line breaks above all, which would let
 * the string forge log lines), the Unicode line and paragraph separators and unpaired surrogates are
 * written as escapes, and long strings are cut. For anything a client or a token could have chosen.
 */
public final class LogText {

    /** Longest escaped text logged; the rest is replaced by "...". */
    static final int MAX = 200;

    private LogText() {
    }

    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = null;
        int n = Math.min(s.length(), MAX);
        if (n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--; // do not cut a pair in two
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean unsafe = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
                    || Character.isSurrogate(c) && !pairedAt(s, i);
            if (unsafe && b == null) {
                b = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (b != null) {
                if (unsafe) {
                    b.append(switch (c) {
                        case '\n' -> "\\n";
                        case '\r' -> "\\r";
                        case '\t' -> "\\t";
                        default -> String.format("\\u%04x", (int) c);
                    });
                } else {
                    b.append(c);
                }
            }
        }
        String out = b == null ? s.substring(0, n) : b.toString();
        return s.length() > MAX ? out + "..." : out;
    }

    private static boolean pairedAt(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
