package io.switchboard.server.util;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Random identifiers (session ids, node ids, stream epochs) of letters and digits, from a secure source. A
 * session id can also be kept as two longs ({@link #randomHalf}, {@link #text}) and written out when asked: 16
 * bytes in the session instead of a 56-byte string.
 */
public final class Ids {

    private static final char[] CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Characters a long from {@link #randomHalf} holds, six bits each. */
    static final int HALF = 8;

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

    /**
     * Eight random letters and digits, as {@link #random} draws them, packed six bits apiece (each the
     * character's index in the alphabet) into the low 48 bits of a long. Two make a session id ({@link #text}).
     */
    public static long randomHalf() {
        long packed = 0;
        for (int i = 0; i < HALF; i++) {
            packed = packed << 6 | RANDOM.nextInt(CHARS.length);
        }
        return packed;
    }

    /** The 16 characters of two halves from {@link #randomHalf}: {@code high}'s eight, then {@code low}'s. */
    public static String text(long high, long low) {
        byte[] b = new byte[2 * HALF];
        unpack(high, b, 0);
        unpack(low, b, HALF);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static void unpack(long packed, byte[] into, int at) {
        for (int i = HALF - 1; i >= 0; i--) {
            into[at + i] = (byte) CHARS[(int) (packed & 63)];
            packed >>>= 6;
        }
    }
}
