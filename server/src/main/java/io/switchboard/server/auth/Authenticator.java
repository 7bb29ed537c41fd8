package io.switchboard.server.auth;

/**
 * Turns the credentials of an opening connection into a {@link Principal}. The transport calls it once
 * per handshake on the connection's event loop, and a session calls it for each {@code refresh}, so
 * implementations must not block ({@link JwtAuthenticator} reads JWKS keys from a cache that is
 * refreshed in the background). Origin checks and per-channel permissions are
 * separate seams, applied after this.
 */
public interface Authenticator {

    /**
     * @param token the bearer token from the {@code Authorization} header or the {@code access_token}
     *              query parameter, or null when the client sent none
     */
    Principal authenticate(String token) throws AuthException;
}
