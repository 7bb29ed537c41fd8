package io.switchboard.server.deflate;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.switchboard.server.config.CompressionConfig;
import io.switchboard.server.metrics.CompressionMetrics;
import java.util.List;
import java.util.Map;

/**
 * The permessage-deflate negotiation of RFC 7692 on the server's side (docs/protocol.md 1.6). The
 * answer always carries {@code server_no_context_takeover} and {@code client_no_context_takeover}: every
 * message is compressed and inflated on its own, so no connection keeps a zlib stream between messages.
 * Offers are read in the client's order; the first acceptable one is taken, an offer with an unknown,
 * repeated or malformed parameter is skipped (section 5: the server declines what it cannot accept).
 * Thread-safe; one per node.
 */
public final class PerMessageDeflate {

    public static final String NAME = "permessage-deflate";

    /** What was agreed: the header value to answer with, and what it means for outbound messages. */
    public record Agreement(String response, Deflation deflation) {
    }

    private final CompressionConfig config;
    private final Deflation[] byWindow = new Deflation[16]; // index: server_max_window_bits, 8 to 15
    private final InflateHandler inflater;

    /** @param maxMessageBytes the most a received message may inflate to ({@code --max-frame-bytes}) */
    public PerMessageDeflate(CompressionConfig config, int maxMessageBytes, CompressionMetrics metrics) {
        this.config = config;
        this.inflater = new InflateHandler(maxMessageBytes, metrics);
        for (int bits = 8; bits <= 15; bits++) {
            byWindow[bits] = new Deflation(config.threshold(), config.level(), bits, metrics);
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** The inbound handler of every connection with an agreement (stateless, shared). */
    public InflateHandler inflater() {
        return inflater;
    }

    /** The agreement for an upgrade request, or null: compression is off, or no offer is acceptable. */
    public Agreement negotiate(HttpHeaders request) {
        if (!config.enabled()) {
            return null;
        }
        List<String> values = request.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        for (String value : values) {
            List<WebSocketExtensionData> offers;
            try {
                offers = WebSocketExtensionUtil.extractExtensions(value);
            } catch (RuntimeException e) {
                continue; // a header Netty cannot read is declined like an unknown extension
            }
            String[] raw = value.split(","); // Netty splits the same way: raw[i] is offers[i]
            for (int i = 0; i < offers.size(); i++) {
                WebSocketExtensionData offer = offers.get(i);
                if (NAME.equalsIgnoreCase(offer.name()) && raw.length == offers.size()) {
                    Agreement a = accept(offer.parameters(), raw[i]);
                    if (a != null) {
                        return a;
                    }
                }
            }
        }
        return null;
    }

    /** One offer: its parameters (each name once, Netty keeps the last of repeated ones) and its raw text. */
    private Agreement accept(Map<String, String> params, String raw) {
        int window = 15;
        for (Map.Entry<String, String> p : params.entrySet()) {
            String v = p.getValue();
            switch (p.getKey().toLowerCase(java.util.Locale.ROOT)) {
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (v != null) {
                        return null;
                    }
                }
                case "server_max_window_bits" -> {
                    Integer bits = windowBits(v);
                    if (bits == null) {
                        return null;
                    }
                    window = bits;
                }
                case "client_max_window_bits" -> {
                    // Any client window can be inflated (the inflater's is 15 bits); no value or 8-15.
                    if (v != null && windowBits(v) == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        if (repeats(raw)) {
            return null;
        }
        StringBuilder response = new StringBuilder(NAME).append("; server_no_context_takeover; client_no_context_takeover");
        if (window < 15) {
            response.append("; server_max_window_bits=").append(window);
        }
        return new Agreement(response.toString(), byWindow[window]);
    }

    /** Netty's parser keeps the last of repeated parameters; RFC 7692 declines such an offer. */
    private static boolean repeats(String offer) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        String[] parts = offer.split(";");
        for (int i = 1; i < parts.length; i++) {
            if (!seen.add(parts[i].split("=", 2)[0].trim().toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static Integer windowBits(String v) {
        if (v == null) {
            return null;
        }
        String t = v.trim();
        if (t.length() > 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        if (!t.matches("[0-9]{1,2}")) {
            return null;
        }
        int bits = Integer.parseInt(t);
        return bits >= 8 && bits <= 15 ? bits : null;
    }
}
