package io.switchboard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import java.security.Key;
import java.security.interfaces.EdECPublicKey;
import java.util.HashSet;
import java.util.Set;

/** Nimbus's verifiers for HMAC, RSA and EC keys, plus {@link Ed25519Verifier} for Ed25519 keys. */
final class Verifiers implements JWSVerifierFactory {

    private final DefaultJWSVerifierFactory nimbus = new DefaultJWSVerifierFactory();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
        if (key instanceof EdECPublicKey ed) {
            if (!VerificationKey.EDDSA.contains(header.getAlgorithm())) {
                throw new JOSEException("an Ed25519 key does not verify " + header.getAlgorithm());
            }
            return new Ed25519Verifier(ed);
        }
        return nimbus.createJWSVerifier(header, key);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        Set<JWSAlgorithm> all = new HashSet<>(nimbus.supportedJWSAlgorithms());
        all.addAll(VerificationKey.EDDSA);
        return all;
    }

    @Override
    public JCAContext getJCAContext() {
        return nimbus.getJCAContext();
    }
}
