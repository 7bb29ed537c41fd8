package io.switchboard.server.auth;

import static io.switchboard.server.auth.TestKeys.ED;
import static io.switchboard.server.auth.TestKeys.EC;
import static io.switchboard.server.auth.TestKeys.RSA;
import static io.switchboard.server.auth.TestKeys.pem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which keys the node takes from PEM files and from JWKS documents, and which it refuses. */
class KeyLoadingTest {

    @TempDir
    Path dir;

    @Test
    void pemFilesOfEachTypeLoadWithTheirAlgorithm() throws Exception {
        assertThat(PemKeys.load(TestKeys.writePem(dir, "rsa.pem", RSA.getPublic()).toString()))
                .singleElement().satisfies(k -> {
                    assertThat(k.algorithms()).containsExactly(JWSAlgorithm.RS256);
                    assertThat(k.kid()).isNull();
                });
        assertThat(PemKeys.load(TestKeys.writePem(dir, "ec.pem", EC.getPublic()).toString()))
                .singleElement().satisfies(k -> assertThat(k.algorithms()).containsExactly(JWSAlgorithm.ES256));
        assertThat(PemKeys.load(TestKeys.writePem(dir, "ed.pem", ED.getPublic()).toString()))
                .singleElement().satisfies(k -> assertThat(k.algorithms()).containsExactlyInAnyOrder(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519));
    }

    @Test
    void oneFileMayHoldSeveralKeysAndInlinePemWorks() throws Exception {
        Path both = dir.resolve("both.pem");
        Files.writeString(both, "# rotation: old and new\n" + pem(RSA.getPublic()) + "\n" + pem(ED.getPublic()));
        assertThat(PemKeys.load(both.toString())).hasSize(2);
        assertThat(PemKeys.load("  " + pem(EC.getPublic()))).singleElement()
                .satisfies(k -> assertThat(k.origin()).isEqualTo("inline PEM"));
    }

    @Test
    void weakOrUnsupportedOrPrivateKeysAreRefusedWithAReason() throws Exception {
        assertThatThrownBy(() -> PemKeys.load(pem(TestKeys.generate("RSA", 1024).getPublic())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024 bits");
        assertThatThrownBy(() -> PemKeys.load(pem(TestKeys.generateEc("secp384r1").getPublic())))
                .hasMessageContaining("P-256");
        assertThatThrownBy(() -> PemKeys.load(pem(TestKeys.generate("Ed448", 0).getPublic())))
                .hasMessageContaining("Ed25519");
        assertThatThrownBy(() -> PemKeys.load(pem("PRIVATE KEY", RSA.getPrivate().getEncoded())))
                .hasMessageContaining("private key");
        assertThatThrownBy(() -> PemKeys.load(pem("RSA PUBLIC KEY", new byte[] {1, 2, 3})))
                .hasMessageContaining("openssl rsa -RSAPublicKey_in");
        assertThatThrownBy(() -> PemKeys.load(dir.resolve("missing.pem").toString()))
                .hasMessageContaining("cannot read").hasMessageContaining("missing.pem");
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "nothing here");
        assertThatThrownBy(() -> PemKeys.load(empty.toString())).hasMessageContaining("no PEM");
    }

    @Test
    void jwksKeysOfEachTypeLoadWithTheirKid() throws Exception {
        Map<String, java.security.PublicKey> keys = new LinkedHashMap<>();
        keys.put("r1", RSA.getPublic());
        keys.put("e1", EC.getPublic());
        keys.put("d1", ED.getPublic());
        List<String> skipped = new ArrayList<>();
        List<VerificationKey> loaded = JwksDocument.parse(TestKeys.jwks(keys), "test", skipped::add);
        assertThat(skipped).isEmpty();
        assertThat(loaded).extracting(VerificationKey::kid).containsExactly("r1", "e1", "d1");
        assertThat(loaded.get(0).key()).isEqualTo(RSA.getPublic());
        assertThat(loaded.get(1).key()).isEqualTo(EC.getPublic());
        assertThat(loaded.get(2).key().getEncoded()).isEqualTo(ED.getPublic().getEncoded());
    }

    @Test
    void unusableJwksKeysAreSkippedOneByOne() throws Exception {
        List<JWK> jwks = new ArrayList<>();
        jwks.add(new RSAKey.Builder((RSAPublicKey) RSA.getPublic()).keyID("good").build());
        jwks.add(new OctetSequenceKey.Builder(new byte[32]).keyID("hmac").build());
        jwks.add(new RSAKey.Builder((RSAPublicKey) RSA.getPublic()).keyID("enc").keyUse(KeyUse.ENCRYPTION).build());
        jwks.add(new RSAKey.Builder((RSAPublicKey) RSA.getPublic()).keyID("signonly").keyOperations(Set.of(KeyOperation.SIGN)).build());
        jwks.add(new RSAKey.Builder((RSAPublicKey) RSA.getPublic()).keyID("rs512").algorithm(JWSAlgorithm.RS512).build());
        jwks.add(new RSAKey.Builder((RSAPublicKey) TestKeys.generate("RSA", 1024).getPublic()).keyID("weak").build());
        jwks.add(new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_384,
                (ECPublicKey) TestKeys.generateEc("secp384r1").getPublic()).keyID("p384").build());
        String doc = new JWKSet(jwks).toString(false);
        // one entry that is not even a JWK, and one X25519 (key agreement) key
        doc = doc.replace("\"keys\":[", "\"keys\":[{\"kty\":\"RSA\",\"kid\":\"broken\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x25519\",\"x\":\"" + Base64URL.encode(new byte[32]) + "\"},");
        List<String> skipped = new ArrayList<>();
        List<VerificationKey> loaded = JwksDocument.parse(doc, "test", skipped::add);
        assertThat(loaded).extracting(VerificationKey::kid).containsExactly("good");
        assertThat(String.join("\n", skipped)).contains("broken", "x25519", "hmac", "enc", "signonly", "rs512", "weak", "p384");
        assertThat(skipped).hasSize(8);
    }

    @Test
    void aJwkAlgNarrowsItsKey() throws Exception {
        KeyPair p = RSA;
        String doc = new JWKSet(new RSAKey.Builder((RSAPublicKey) p.getPublic()).keyID("k").algorithm(JWSAlgorithm.RS256).build()).toString();
        assertThat(JwksDocument.parse(doc, "t", s -> { }).get(0).algorithms()).containsExactly(JWSAlgorithm.RS256);
    }

    @Test
    void aDocumentWithoutKeysIsNotAJwks() {
        assertThatThrownBy(() -> JwksDocument.parse("{\"issuer\":\"x\"}", "t", s -> { })).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> JwksDocument.parse("<html>", "t", s -> { })).isInstanceOf(ParseException.class);
    }
}
