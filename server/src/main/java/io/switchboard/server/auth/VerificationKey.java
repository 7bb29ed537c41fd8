package io.switchboard.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.utils.ECChecks;
import com.nimbusds.jose.jwk.Curve;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;

/**
 * One public key that verifies tokens, and the algorithms it may verify. Keys from PEM files and from a
 * JWKS pass the same checks here, so a key type and an algorithm can only meet as RSA/RS256,
 * P-256/ES256 or Ed25519/EdDSA: that pairing is what stops algorithm confusion between asymmetric types.
 *
 * @param kid        the key id a token names in its header; null for a PEM key, which matches any kid
 * @param algorithms the JWS algorithms this key verifies
 * @param key        the JCA public key
 * @param origin     where the key came from (a file name or a JWKS URL), for logs
 */
record VerificationKey(String kid, Set<JWSAlgorithm> algorithms, PublicKey key, String origin) {

    static final int MIN_RSA_BITS = 2048;
    /** "EdDSA" (RFC 8037) and its fully specified name "Ed25519" (RFC 9864) are the same algorithm here. */
    static final Set<JWSAlgorithm> EDDSA = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    /**
     * @param declared the {@code alg} a JWK declares, or null; it narrows the key to that one algorithm
     * @throws IllegalArgumentException when the key is of a type, size or curve this node does not accept
     */
    static VerificationKey of(PublicKey key, String kid, JWSAlgorithm declared, String origin) {
        Set<JWSAlgorithm> algorithms;
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new IllegalArgumentException("an RSA key of " + bits + " bits is too weak; at least " + MIN_RSA_BITS + " are required");
            }
            algorithms = Set.of(JWSAlgorithm.RS256);
        } else if (key instanceof ECPublicKey ec) {
            if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                throw new IllegalArgumentException("an EC key must be on curve P-256 (for ES256)");
            }
            if (!ECChecks.isPointOnCurve(ec, ec.getParams())) {
                throw new IllegalArgumentException("the EC public point is not on curve P-256");
            }
            algorithms = Set.of(JWSAlgorithm.ES256);
        } else if (key instanceof EdECPublicKey ed) {
            if (!"Ed25519".equalsIgnoreCase(ed.getParams().getName())) {
                throw new IllegalArgumentException("an EdDSA key must be Ed25519, not " + ed.getParams().getName());
            }
            algorithms = EDDSA;
        } else {
            throw new IllegalArgumentException("a " + key.getAlgorithm() + " key is not supported; use RSA, EC P-256 or Ed25519");
        }
        if (declared != null) {
            if (!algorithms.contains(declared)) {
                throw new IllegalArgumentException("the key declares alg " + declared + ", which a " + key.getAlgorithm()
                        + " key does not verify here (accepted: " + algorithms + ")");
            }
            if (!EDDSA.contains(declared)) {
                algorithms = Set.of(declared);
            }
        }
        return new VerificationKey(kid, algorithms, key, origin);
    }

    boolean verifies(JWSAlgorithm alg) {
        return algorithms.contains(alg);
    }

    /** True when a token naming {@code tokenKid} (or none) may be checked with this key. */
    boolean matchesKid(String tokenKid) {
        return tokenKid == null || kid == null || kid.equals(tokenKid);
    }

    String describe() {
        String type = key instanceof RSAPublicKey ? "RSA" : key instanceof ECPublicKey ? "EC P-256" : "Ed25519";
        return type + (kid == null ? "" : " kid=" + kid) + " from " + origin;
    }
}
