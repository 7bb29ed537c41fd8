package io.switchboard.server.pusher;

import io.switchboard.server.config.PusherApp;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pusher's request signing for the HTTP API: the query carries {@code auth_key} (the app's key),
 * {@code auth_timestamp} (seconds; refused more than {@value #WINDOW_SECONDS} s from the node's clock, which
 * also bounds replays), {@code auth_version} ({@code 1.0}), {@code body_md5} (required with a body) and
 * {@code auth_signature}: the HMAC-SHA256 under the app's secret of {@code METHOD\nPATH\nQUERY}, where QUERY
 * is every other parameter, keys lower-cased and sorted, joined as {@code k=v&k=v}.
 */
final class PusherRequestAuth {

    static final long WINDOW_SECONDS = 600;

    private PusherRequestAuth() {
    }

    /** Null when the request is signed by {@code app}; otherwise why not. */
    static String problem(PusherApp app, String method, String path, Map<String, List<String>> query, byte[] body, long nowSeconds) {
        String key = one(query, "auth_key");
        if (key == null || !key.equals(app.key())) {
            return "auth_key is missing or not this app's key";
        }
        String version = one(query, "auth_version");
        if (version != null && !version.equals("1.0")) {
            return "auth_version must be 1.0";
        }
        String ts = one(query, "auth_timestamp");
        if (ts == null || !ts.matches("\\d{1,12}")) {
            return "auth_timestamp is missing or not a whole number of seconds";
        }
        if (Math.abs(nowSeconds - Long.parseLong(ts)) > WINDOW_SECONDS) {
            return "auth_timestamp is more than " + WINDOW_SECONDS + " s away from the server's clock (" + nowSeconds + ")";
        }
        String md5 = one(query, "body_md5");
        if (body.length > 0 || md5 != null) {
            if (md5 == null || !md5.equalsIgnoreCase(PusherSignatures.md5(body))) {
                return "body_md5 is missing or does not match the body";
            }
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            if (!k.equals("auth_signature") && !e.getValue().isEmpty()) {
                if (e.getValue().size() > 1 || sorted.containsKey(k)) {
                    return "query parameter " + PusherConnection.clip(k) + " is given more than once";
                }
                sorted.put(k, e.getValue().get(0));
            }
        }
        StringBuilder q = new StringBuilder();
        sorted.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(k).append('=').append(v));
        String toSign = method + "\n" + path + "\n" + q;
        return PusherSignatures.verify(app.secret(), toSign, one(query, "auth_signature")) ? null : "invalid signature";
    }

    private static String one(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
