package io.switchboard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Key pairs, PEM and JWKS text, and tokens signed with any algorithm the node accepts (or should not). */
public final class TestKeys {

    /** 64 bytes: long enough for HS512. */
    public static final String LONG_SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static final KeyPair RSA = generate("RSA", 2048);
    public static final KeyPair RSA_OTHER = generate("RSA", 2048);
    public static final KeyPair EC = generateEc("secp256r1");
    public static final KeyPair ED = generate("Ed25519", 0);

    private TestKeys() {
    }

    public static KeyPair generate(String type, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(type);
            if (bits > 0) {
                g.initialize(bits);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair generateEc(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }

    public static String pem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    public static Path writePem(Path dir, String name, PublicKey key) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, pem(key));
        return p;
    }

    /** Claims for {@code sub} valid for an hour. */
    public static JWTClaimsSet.Builder claims(String sub) {
        return new JWTClaimsSet.Builder().subject(sub).issueTime(new Date())
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000));
    }

    /** Signs with the algorithm's natural key from this class ({@code key} is a secret or a private key). */
    public static String sign(JWSAlgorithm alg, Object key, String kid, JWTClaimsSet claims) {
        JWSHeader.Builder h = new JWSHeader.Builder(alg);
        if (kid != null) {
            h.keyID(kid);
        }
        return sign(h.build(), key, claims);
    }

    public static String sign(JWSHeader header, Object key, JWTClaimsSet claims) {
        try {
            JWSSigner signer;
            JWSAlgorithm alg = header.getAlgorithm();
            if (key instanceof byte[] secret) {
                signer = new MACSigner(secret);
            } else if (key instanceof String secret) {
                signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
            } else if (VerificationKey.EDDSA.contains(alg)) {
                signer = new JdkEd25519Signer((PrivateKey) key);
            } else if (key instanceof ECPrivateKey ec) {
                signer = new ECDSASigner(ec);
            } else {
                signer = new RSASSASigner((PrivateKey) key);
            }
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs {@code claims} with HMAC over arbitrary bytes, bypassing the signer's length checks. */
    public static String hmacWithRawKey(JWSAlgorithm alg, byte[] keyBytes, JWTClaimsSet claims) {
        try {
            String header = Base64URL.encode("{\"alg\":\"" + alg.getName() + "\",\"typ\":\"JWT\"}").toString();
            String payload = Base64URL.encode(claims.toString()).toString();
            String input = header + "." + payload;
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA" + alg.getName().substring(2));
            mac.init(new javax.crypto.spec.SecretKeySpec(keyBytes, mac.getAlgorithm()));
            return input + "." + Base64URL.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token with header {@code headerJson}, the claims, and {@code signature} as its third part (may be ""). */
    public static String raw(String headerJson, JWTClaimsSet claims, String signature) {
        return Base64URL.encode(headerJson) + "." + Base64URL.encode(claims.toString()) + "." + signature;
    }

    public static JWK jwk(String kid, PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).keyID(kid).build();
        }
        if (key instanceof ECPublicKey ec) {
            return new ECKey.Builder(Curve.P_256, ec).keyID(kid).build();
        }
        if (key instanceof EdECPublicKey) {
            byte[] spki = key.getEncoded();
            byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build();
        }
        throw new IllegalArgumentException(key.getAlgorithm());
    }

    /** An ordered map from alternating kids and public keys. */
    public static Map<String, PublicKey> keys(Object... kidThenKey) {
        Map<String, PublicKey> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kidThenKey.length; i += 2) {
            m.put((String) kidThenKey[i], (PublicKey) kidThenKey[i + 1]);
        }
        return m;
    }

    /** A JWKS document of {@code kid -> public key}, in the map's order. */
    public static String jwks(Map<String, PublicKey> keys) {
        List<JWK> jwks = new ArrayList<>();
        keys.forEach((kid, k) -> jwks.add(jwk(kid, k)));
        return new JWKSet(jwks).toString();
    }

    /** EdDSA signing with the JDK's Ed25519 (Nimbus's own signer would need Tink). */
    static final class JdkEd25519Signer implements JWSSigner {
        private final PrivateKey key;
        private final JCAContext jca = new JCAContext();

        JdkEd25519Signer(PrivateKey key) {
            this.key = key;
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(signingInput);
                return Base64URL.encode(s.sign());
            } catch (GeneralSecurityException e) {
                throw new JOSEException(e.getMessage(), e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return VerificationKey.EDDSA;
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}
