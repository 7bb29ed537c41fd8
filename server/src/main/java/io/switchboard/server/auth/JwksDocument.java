package io.switchboard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns a JWKS document (RFC 7517 {@code {"keys":[...]}}) into verification keys. Each key is judged on
 * its own: one that cannot be used is skipped with a reason rather than spoiling the set. Symmetric
 * ({@code oct}) keys are never taken from a JWKS, and keys marked for encryption are ignored.
 */
final class JwksDocument {

    /** The SubjectPublicKeyInfo header of an Ed25519 key (OID 1.3.101.112), before its 32 raw bytes. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private JwksDocument() {
    }

    /**
     * @param skipped told why each unusable key was left out
     * @throws ParseException when the text is not a JSON object with a {@code keys} array
     */
    static List<VerificationKey> parse(String json, String origin, Consumer<String> skipped) throws ParseException {
        Map<String, Object> doc = JSONObjectUtils.parse(json);
        List<Object> keys = JSONObjectUtils.getJSONArray(doc, "keys");
        if (keys == null) {
            throw new ParseException("the document has no \"keys\" array", 0);
        }
        List<VerificationKey> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Object k = keys.get(i);
            String where = "key #" + i;
            if (!(k instanceof Map)) {
                skipped.accept(where + " is not a JSON object");
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> member = (Map<String, Object>) k;
            if (member.get("kid") instanceof String kid) {
                where += " (kid " + kid + ")";
            }
            JWK jwk;
            try {
                jwk = JWK.parse(member);
            } catch (ParseException | RuntimeException e) {
                skipped.accept(where + " cannot be read: " + e.getMessage());
                continue;
            }
            try {
                out.add(toVerificationKey(jwk, origin));
            } catch (IllegalArgumentException e) {
                skipped.accept(where + " is not used: " + e.getMessage());
            }
        }
        return out;
    }

    private static VerificationKey toVerificationKey(JWK jwk, String origin) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            throw new IllegalArgumentException("its use is " + jwk.getKeyUse().identifier() + ", not sig");
        }
        if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
            throw new IllegalArgumentException("its key_ops do not include verify");
        }
        JWSAlgorithm declared = jwk.getAlgorithm() == null ? null : JWSAlgorithm.parse(jwk.getAlgorithm().getName());
        PublicKey key;
        try {
            if (jwk instanceof RSAKey rsa) {
                key = rsa.toRSAPublicKey();
            } else if (jwk instanceof ECKey ec) {
                key = ec.toECPublicKey();
            } else if (jwk instanceof OctetKeyPair okp) {
                key = ed25519(okp);
            } else {
                throw new IllegalArgumentException("kty " + jwk.getKeyType() + " is not accepted from a JWKS");
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return VerificationKey.of(key, jwk.getKeyID(), declared, origin);
    }

    private static PublicKey ed25519(OctetKeyPair okp) {
        if (!Curve.Ed25519.equals(okp.getCurve())) {
            throw new IllegalArgumentException("OKP curve " + okp.getCurve() + " is not accepted; only Ed25519");
        }
        byte[] x = okp.getX().decode();
        if (x.length != 32) {
            throw new IllegalArgumentException("an Ed25519 x must be 32 bytes, not " + x.length);
        }
        byte[] der = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, der, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(x, 0, der, ED25519_SPKI_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the Ed25519 key cannot be read: " + e.getMessage(), e);
        }
    }
}
