package io.switchboard.embedded;

import java.util.List;
import java.util.Map;

/**
 * An opening WebSocket connection as a connect hook sees it, after the token check.
 *
 * @param user          who the token (or the {@link Authenticator}) says the client is; null when anonymous
 * @param token         the token the client sent, or null
 * @param headers       the handshake's HTTP headers, names in lower case (cookies are in {@code cookie})
 * @param remoteAddress the client's IP address
 */
public record ConnectRequest(User user, String token, Map<String, List<String>> headers, String remoteAddress) {

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
