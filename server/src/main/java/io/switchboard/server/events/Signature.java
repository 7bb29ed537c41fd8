package io.switchboard.server.events;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook request: HMAC-SHA256, keyed by the endpoint's secret, over the timestamp in
 * milliseconds, a dot, and the raw body; sent as {@code X-Switchboard-Signature: t=<ms>,v1=<hex>}. Signing
 * the timestamp too lets a receiver refuse an old request replayed by someone who recorded it.
 */
public final class Signature {

    /** The request header that carries it. */
    public static final String HEADER = "X-Switchboard-Signature";

    private Signature() {
    }

    /** The header's value for {@code body} sent at {@code millis}. */
    public static String header(String secret, long millis, byte[] body) {
        return "t=" + millis + ",v1=" + hex(mac(secret, millis, body));
    }

    /** Whether {@code header} is a valid signature of {@code body} with {@code secret} (the age is the caller's to check). */
    public static boolean verify(String secret, String header, byte[] body) {
        long t = -1;
        String v1 = null;
        for (String part : header.split(",")) {
            if (part.startsWith("t=")) {
                try {
                    t = Long.parseLong(part.substring(2));
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (part.startsWith("v1=")) {
                v1 = part.substring(3);
            }
        }
        if (t < 0 || v1 == null) {
            return false;
        }
        return MessageDigest.isEqual(hex(mac(secret, t, body)).getBytes(StandardCharsets.US_ASCII),
                v1.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(String secret, long millis, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((millis + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return s.toString();
    }
}
