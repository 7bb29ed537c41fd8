package io.switchboard.server.cli;

import java.util.regex.Pattern;

/** How the command line shows values: control characters escaped, URL passwords masked, YAML quoted. */
final class Text {

    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@:]*:)[^/@]*@");
    private static final Pattern PLAIN_YAML = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./:@+=*-]*");
    private static final Pattern YAML_WORDS = Pattern.compile("(?i)null|~|true|false|yes|no|on|off|y|n");

    private Text() {
    }

    /** The value with control characters written as {@code \n}, {@code \t} or {@code \u001b}, so it is one line. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A URL with the password of its user part replaced by {@code ****}. */
    static String maskUrl(String url) {
        return URL_PASSWORD.matcher(url).replaceAll("$1****@");
    }

    /** One YAML scalar that reads back as {@code s}: plain when that is unambiguous, else single-quoted. */
    static String yamlScalar(String s) {
        if (PLAIN_YAML.matcher(s).matches() && !YAML_WORDS.matcher(s).matches()) {
            return s;
        }
        return "'" + escape(s).replace("'", "''") + "'";
    }

    /** The candidate closest to {@code word} by edit distance, when it is close enough to be a typo; else null. */
    static String nearest(String word, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(java.util.Locale.ROOT), c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, word.length() / 3) ? best : null;
    }

    /** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
