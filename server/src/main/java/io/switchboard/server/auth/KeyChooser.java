package io.switchboard.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.Key;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Picks the keys that may check a token, from the algorithm and key id in its header. The allow-list of
 * algorithms follows from the keys: HS256/384/512 only with a secret long enough for them, RS256 only
 * with RSA keys, ES256 with P-256 keys, EdDSA with Ed25519 keys. A secret is never offered for an
 * asymmetric algorithm nor a public key for HMAC, which is what defeats algorithm confusion; {@code none}
 * never reaches here (the processor refuses unsigned tokens). Reads only cached keys: never blocks.
 */
final class KeyChooser implements JWSKeySelector<SecurityContext> {

    static final List<JWSAlgorithm> HMAC = List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    static final List<JWSAlgorithm> ASYMMETRIC = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA,
            JWSAlgorithm.Ed25519);
    private static final int MAX_KID_SHOWN = 64;

    private final SecretKey secret;
    private final Set<JWSAlgorithm> hmacAccepted;
    private final List<VerificationKey> configured;
    private final JwksKeySource jwks;

    /**
     * @param secret     the HMAC secret, or null when HS* tokens are refused
     * @param configured keys from {@code --jwt-public-key}
     * @param jwks       the key set of {@code --jwks-url}, or null
     */
    KeyChooser(byte[] secret, List<VerificationKey> configured, JwksKeySource jwks) {
        this.secret = secret == null ? null : new SecretKeySpec(secret, "HmacSHA256");
        Set<JWSAlgorithm> hs = new LinkedHashSet<>();
        if (secret != null) {
            for (JWSAlgorithm alg : HMAC) {
                if (secret.length * 8 >= minSecretBits(alg)) {
                    hs.add(alg);
                }
            }
        }
        this.hmacAccepted = Collections.unmodifiableSet(hs);
        this.configured = List.copyOf(configured);
        this.jwks = jwks;
    }

    static int minSecretBits(JWSAlgorithm alg) {
        return Integer.parseInt(alg.getName().substring(2));
    }

    /** The algorithms accepted now, for logs and docs. */
    Set<JWSAlgorithm> accepted() {
        Set<JWSAlgorithm> out = new LinkedHashSet<>(hmacAccepted);
        for (JWSAlgorithm alg : ASYMMETRIC) {
            if (jwks != null || configured.stream().anyMatch(k -> k.verifies(alg))) {
                out.add(alg);
            }
        }
        return out;
    }

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeyRefusal {
        JWSAlgorithm alg = header.getAlgorithm();
        if (HMAC.contains(alg)) {
            if (hmacAccepted.contains(alg)) {
                return List.of(secret);
            }
            throw refuse(AuthException.unauthorized(alg + " tokens are not accepted here"
                    + (secret == null ? "" : " (the secret is shorter than " + minSecretBits(alg) / 8 + " bytes)")));
        }
        if (!ASYMMETRIC.contains(alg)) {
            throw refuse(AuthException.unauthorized(alg + " tokens are not accepted here"));
        }
        String kid = header.getKeyID();
        List<Key> keys = new ArrayList<>();
        add(keys, configured, alg, kid);
        if (jwks != null) {
            JwksKeySource.KeySet set = jwks.current();
            if (set == null) {
                jwks.refreshSoon();
                if (keys.isEmpty()) {
                    throw refuse(AuthException.unavailable("the node has not loaded its token signing keys yet; retry shortly"));
                }
            } else {
                add(keys, set.keys(), alg, kid);
                if (kid != null && !set.hasKid(kid)) {
                    jwks.refreshSoon(); // perhaps a new key: fetch the set early (rate-limited), for the next try
                    if (keys.isEmpty()) {
                        throw refuse(AuthException.unauthorized("unknown key id '" + shown(kid)
                                + "'; the node is refreshing its keys, retry in a few seconds"));
                    }
                }
            }
        }
        if (keys.isEmpty()) {
            throw refuse(AuthException.unauthorized(alg + " tokens are not accepted here"
                    + (kid == null ? "" : " with key id '" + shown(kid) + "'")));
        }
        return keys;
    }

    private static void add(List<Key> out, List<VerificationKey> from, JWSAlgorithm alg, String kid) {
        for (VerificationKey k : from) {
            if (k.verifies(alg) && k.matchesKid(kid)) {
                out.add(k.key());
            }
        }
    }

    private static String shown(String kid) {
        String s = kid.length() > MAX_KID_SHOWN ? kid.substring(0, MAX_KID_SHOWN) + "..." : kid;
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static KeyRefusal refuse(AuthException e) {
        return new KeyRefusal(e);
    }
}
