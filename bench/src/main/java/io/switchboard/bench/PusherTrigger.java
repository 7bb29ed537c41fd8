package io.switchboard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Pusher target's publisher: a backend's {@code trigger}, a signed {@code POST /apps/{id}/events} of the
 * Pusher HTTP API (as the {@code pusher} server SDKs send it), without waiting for the answer, so that
 * publishing stays open loop. The node under test is started with the app {@link #APP_ID}:{@link #KEY}:{@link #SECRET}.
 */
final class PusherTrigger {

    static final String APP_ID = "bench";
    static final String KEY = "bench-key";
    static final String SECRET = "bench-pusher-secret-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final HexFormat HEX = HexFormat.of();

    private PusherTrigger() {
    }

    /** Triggers event {@code bench} with {@code data} (a JSON text, sent as Pusher's string data) on {@code channel}. */
    static void trigger(int port, String channel, String data, Runnable onFailure) {
        String body = "{\"name\":\"bench\",\"channel\":\"" + channel + "\",\"data\":" + quote(data) + "}";
        String path = "/apps/" + APP_ID + "/events";
        String query = "auth_key=" + KEY + "&auth_timestamp=" + System.currentTimeMillis() / 1000
                + "&auth_version=1.0&body_md5=" + md5(body);
        String signature = hmac("POST\n" + path + "\n" + query);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + "?" + query
                        + "&auth_signature=" + signature))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, failure) -> {
            if (failure != null || r.statusCode() != 200) {
                onFailure.run();
            }
        });
    }

    /** {@code s} as a JSON string; benchmark payloads hold no control characters or backslashes. */
    static String quote(String s) {
        return "\"" + s.replace("\"", "\\\"") + "\"";
    }

    static String md5(String body) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hmac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
