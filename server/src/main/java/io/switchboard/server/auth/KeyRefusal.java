package io.switchboard.server.auth;

import com.nimbusds.jose.KeySourceException;

/**
 * Thrown by {@link KeyChooser} out of the JWT processor when no key may check a token, carrying the exact
 * refusal for the client (an unknown key id, an algorithm this node does not accept, keys not loaded).
 */
final class KeyRefusal extends KeySourceException {

    private final transient AuthException refusal;

    KeyRefusal(AuthException refusal) {
        super(refusal.getMessage());
        this.refusal = refusal;
    }

    AuthException refusal() {
        return refusal;
    }
}
