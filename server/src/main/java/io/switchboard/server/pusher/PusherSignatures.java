package io.switchboard.server.pusher;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signatures of the Pusher protocol: HMAC-SHA256 in lower-case hex, compared in constant time. Public for
 * the node's own warm-up, which signs HTTP API requests as a backend does.
 */
public final class PusherSignatures {

    private static final HexFormat HEX = HexFormat.of();

    private PusherSignatures() {
    }

    /** HMAC-SHA256 of {@code text} under {@code secret}, lower-case hex. */
    public static String hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether {@code given} is the signature of {@code text}; takes the same time whatever it is. */
    static boolean verify(String secret, String text, String given) {
        if (given == null) {
            return false;
        }
        byte[] expected = hmac(secret, text).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** MD5 of {@code body}, lower-case hex (the HTTP API's {@code body_md5}). */
    public static String md5(byte[] body) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    /**
     * Checks a channel authorization {@code key:signature} of the app {@code key} over {@code text}
     * ({@code socket_id:channel}, with {@code :channel_data} for presence); null when it holds, otherwise why not.
     */
    static String authProblem(String appKey, String secret, String auth, String text) {
        if (auth == null || auth.isEmpty()) {
            return "the subscription needs an auth signature";
        }
        int colon = auth.indexOf(':');
        if (colon < 0 || !auth.substring(0, colon).equals(appKey)) {
            return "the auth is not key:signature for this app's key";
        }
        return verify(secret, text, auth.substring(colon + 1)) ? null : "invalid signature";
    }
}
