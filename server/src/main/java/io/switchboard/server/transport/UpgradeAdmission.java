package io.switchboard.server.transport;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Base64;

/**
 * Whether an HTTP request to {@code /ws} is a WebSocket opening handshake this node speaks (RFC 6455
 * section 4.2.1): an HTTP/1.1 GET with {@code Host}, {@code Upgrade: websocket}, {@code Connection:
 * Upgrade}, {@code Sec-WebSocket-Version: 13} and a {@code Sec-WebSocket-Key} of 16 base64-encoded
 * bytes. Any other version, and a request with no version at all (the pre-RFC Hixie drafts), gets
 * {@code 426} naming version 13 (4.2.2); anything else malformed gets {@code 400}. Decided from the
 * request line and headers alone, before any limit, origin or token is looked at.
 */
final class UpgradeAdmission {

    static final String VERSION = "13";

    /** Why a request is refused: the status, and a message for the client in the project's words. */
    record Refusal(HttpResponseStatus status, String message) {
        boolean versionRequired() {
            return status.equals(HttpResponseStatus.UPGRADE_REQUIRED);
        }
    }

    private UpgradeAdmission() {
    }

    /** Null when the request is an upgrade to admit; otherwise the refusal to answer with. */
    static Refusal check(HttpMethod method, HttpVersion protocol, HttpHeaders headers) {
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return bad("/ws expects a WebSocket upgrade (GET with Upgrade: websocket)");
        }
        if (protocol.majorVersion() < 1 || protocol.majorVersion() == 1 && protocol.minorVersion() < 1) {
            return bad("a WebSocket upgrade needs HTTP/1.1");
        }
        if (method != HttpMethod.GET) {
            return bad("a WebSocket upgrade must be a GET");
        }
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return bad("a WebSocket upgrade needs Connection: Upgrade");
        }
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null || host.isBlank()) {
            return bad("a WebSocket upgrade needs a Host header");
        }
        if (!VERSION.equals(single(headers, HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            return new Refusal(HttpResponseStatus.UPGRADE_REQUIRED,
                    "this node speaks WebSocket version " + VERSION + " (RFC 6455) only");
        }
        String key = single(headers, HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isEmpty()) {
            return bad("a WebSocket upgrade needs Sec-WebSocket-Key");
        }
        if (!isNonce(key)) {
            return bad("Sec-WebSocket-Key must be 16 bytes in base64 (24 characters)");
        }
        return null;
    }

    /** The header's one value, trimmed; null when it is absent or given more than once. */
    private static String single(HttpHeaders headers, CharSequence name) {
        java.util.List<String> all = headers.getAll(name);
        return all.size() == 1 ? all.get(0).trim() : null;
    }

    /** True for the base64 encoding of exactly 16 bytes (RFC 6455 4.1, item 7). */
    static boolean isNonce(String key) {
        if (key.length() != 24 || !key.endsWith("==")) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Refusal bad(String message) {
        return new Refusal(HttpResponseStatus.BAD_REQUEST, message);
    }
}
