package io.switchboard.server.util;

import java.security.SecureRandom;

/** Random identifiers (session ids, node ids, stream epochs) of letters and digits, from a secure source. */
public final class Ids {

    private static final char[] CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** {@code n} random letters and digits: about 5.95 bits each. */
    public static String random(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = CHARS[RANDOM.nextInt(CHARS.length)];
        }
        return new String(c);
    }
}
