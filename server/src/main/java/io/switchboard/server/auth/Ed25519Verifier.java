package io.switchboard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPublicKey;
import java.util.Set;

/**
 * Checks EdDSA (Ed25519) signatures with the JDK's own Ed25519 (Java 15 and later). Nimbus's verifier for
 * this algorithm needs Google Tink on the class path; the JDK already has the primitive, so the node does
 * without that dependency. Like Nimbus's verifiers, it refuses a header with critical parameters it
 * does not understand (here: any).
 */
final class Ed25519Verifier implements JWSVerifier {

    private static final int SIGNATURE_BYTES = 64;

    private final EdECPublicKey key;
    private final JCAContext jca = new JCAContext();

    Ed25519Verifier(EdECPublicKey key) {
        if (!"Ed25519".equalsIgnoreCase(key.getParams().getName())) {
            throw new IllegalArgumentException("not an Ed25519 key: " + key.getParams().getName());
        }
        this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!VerificationKey.EDDSA.contains(header.getAlgorithm())) {
            throw new JOSEException("an Ed25519 key does not verify " + header.getAlgorithm());
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            return false;
        }
        byte[] sig = signature.decode();
        if (sig.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(sig);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
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
