package io.switchboard.server.transport;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open a WebSocket here: a defence against cross-site WebSocket hijacking,
 * where a page on another site uses a visitor's cookies or network position to talk to the node.
 * Requests without an {@code Origin} header (non-browser clients) are not affected. Always allowed: the
 * node's own origin (the Origin's host and port equal the request's Host header). With no configured
 * list, loopback origins are allowed too; otherwise the list decides.
 */
final class OriginPolicy {

    private final List<String> allowed;

    OriginPolicy(List<String> allowed) {
        this.allowed = allowed.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList();
    }

    boolean allows(String origin, String hostHeader) {
        if (origin == null) {
            return true;
        }
        String o = origin.trim().toLowerCase(Locale.ROOT);
        URI uri;
        try {
            uri = URI.create(o);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (uri.getHost() == null || !(o.startsWith("http://") || o.startsWith("https://"))) {
            return allowed.contains("*"); // "null" and other opaque origins only with a wildcard
        }
        String hostPort = uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        if (hostHeader != null && hostPort.equals(hostHeader.trim().toLowerCase(Locale.ROOT))) {
            return true;
        }
        if (allowed.isEmpty()) {
            String h = uri.getHost();
            return h.equals("localhost") || h.equals("[::1]") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        }
        for (String a : allowed) {
            if (a.equals("*") || a.equals(o)) {
                return true;
            }
            int star = a.indexOf("://*.");
            if (star > 0) {
                String scheme = a.substring(0, star);
                String suffix = a.substring(star + 4); // ".example.com" (and maybe ":port")
                if (o.startsWith(scheme + "://") && hostPort.endsWith(suffix.startsWith(".") ? suffix : "." + suffix)) {
                    return true;
                }
            }
        }
        return false;
    }
}
