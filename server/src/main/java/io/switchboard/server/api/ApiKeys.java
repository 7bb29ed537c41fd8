package io.switchboard.server.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The configured server-API keys. A presented key is compared with every configured one through their
 * SHA-256 digests and {@link MessageDigest#isEqual}, so the time taken says nothing about how much of a
 * key was right, nor about its length.
 */
public final class ApiKeys {

    private final byte[][] digests;

    public ApiKeys(List<String> keys) {
        digests = new byte[keys.size()][];
        for (int i = 0; i < keys.size(); i++) {
            digests[i] = sha256(keys.get(i));
        }
    }

    /** True when at least one key is configured, i.e. the API is on. */
    public boolean enabled() {
        return digests.length > 0;
    }

    /** True when {@code presented} is one of the configured keys; null or empty never is. */
    public boolean accepts(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] d = sha256(presented);
        boolean ok = false;
        for (byte[] k : digests) {
            ok |= MessageDigest.isEqual(k, d); // no early exit: every key is compared
        }
        return ok;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
