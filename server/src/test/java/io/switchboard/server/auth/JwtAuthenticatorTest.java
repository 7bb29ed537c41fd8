package io.switchboard.server.auth;

import static io.switchboard.server.auth.TestKeys.ED;
import static io.switchboard.server.auth.TestKeys.EC;
import static io.switchboard.server.auth.TestKeys.LONG_SECRET;
import static io.switchboard.server.auth.TestKeys.RSA;
import static io.switchboard.server.auth.TestKeys.RSA_OTHER;
import static io.switchboard.server.auth.TestKeys.claims;
import static io.switchboard.server.auth.TestKeys.pem;
import static io.switchboard.server.auth.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The verification rules, checked directly against the authenticator (no sockets). */
class JwtAuthenticatorTest {

    private static final String SHORT_SECRET = "test-secret-test-secret-test-secret!"; // 36 bytes: HS256 only

    /** Every kind of key, an issuer and two accepted audiences. */
    private static JwtAuthenticator full() {
        return JwtAuthenticator.builder().secret(LONG_SECRET.getBytes(StandardCharsets.UTF_8))
                .publicKeys(pem(RSA.getPublic())).publicKeys(pem(EC.getPublic())).publicKeys(pem(ED.getPublic()))
                .issuer("https://issuer.test").audiences(List.of("switchboard", "chat")).build();
    }

    private static JWTClaimsSet.Builder good(String sub) {
        return claims(sub).issuer("https://issuer.test").audience("switchboard");
    }

    private static AuthException refusal(JwtAuthenticator a, String token) {
        try {
            a.authenticate(token);
        } catch (AuthException e) {
            return e;
        }
        throw new AssertionError("the token was accepted: " + token);
    }

    @Test
    void everyConfiguredAlgorithmIsAccepted() throws Exception {
        JwtAuthenticator a = full();
        JWTClaimsSet c = good("alice").build();
        assertThat(a.authenticate(sign(JWSAlgorithm.HS256, LONG_SECRET, null, c)).userId()).isEqualTo("alice");
        assertThat(a.authenticate(sign(JWSAlgorithm.HS384, LONG_SECRET, null, c)).userId()).isEqualTo("alice");
        assertThat(a.authenticate(sign(JWSAlgorithm.HS512, LONG_SECRET, null, c)).userId()).isEqualTo("alice");
        assertThat(a.authenticate(sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, c)).userId()).isEqualTo("alice");
        assertThat(a.authenticate(sign(JWSAlgorithm.ES256, EC.getPrivate(), null, c)).userId()).isEqualTo("alice");
        assertThat(a.authenticate(sign(JWSAlgorithm.EdDSA, ED.getPrivate(), null, c)).userId()).isEqualTo("alice");
        assertThat(a.authenticate(sign(JWSAlgorithm.Ed25519, ED.getPrivate(), null, c)).userId()).isEqualTo("alice");
        // a PEM key has no kid, so it checks tokens whatever kid they name
        assertThat(a.authenticate(sign(JWSAlgorithm.RS256, RSA.getPrivate(), "any-kid", c)).userId()).isEqualTo("alice");
        assertThat(a.accepted()).containsExactlyInAnyOrder(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
                JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    }

    @Test
    void claimsBecomeThePrincipal() throws Exception {
        JwtAuthenticator a = full();
        JWTClaimsSet c = good("bob").claim("channels", List.of("vip:*", "dm:bob")).claim("info", Map.of("name", "Bob")).build();
        Principal p = a.authenticate(sign(JWSAlgorithm.ES256, EC.getPrivate(), null, c));
        assertThat(p.userId()).isEqualTo("bob");
        assertThat(p.anonymous()).isFalse();
        assertThat(p.expiresAtMillis()).isEqualTo(c.getExpirationTime().getTime() / 1000 * 1000); // exp is in seconds
        assertThat(p.claims("vip:lounge")).isTrue();
        assertThat(new String(p.info(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"Bob\"}");
    }

    @Test
    void secretDecidesWhichHmacAlgorithmsCount() throws Exception {
        JwtAuthenticator a = new JwtAuthenticator(SHORT_SECRET.getBytes(StandardCharsets.UTF_8), false);
        JWTClaimsSet c = claims("carol").build();
        assertThat(a.authenticate(sign(JWSAlgorithm.HS256, SHORT_SECRET, null, c)).userId()).isEqualTo("carol");
        // HS384 needs a 48-byte secret: a token signed with this 36-byte one must still be refused
        String hs384 = TestKeys.hmacWithRawKey(JWSAlgorithm.HS384, SHORT_SECRET.getBytes(StandardCharsets.UTF_8), c);
        AuthException e = refusal(a, hs384);
        assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(e.getMessage()).contains("HS384").contains("48 bytes");
        assertThat(refusal(a, sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, c)).getMessage()).contains("RS256 tokens are not accepted");
        assertThatThrownBy(() -> new JwtAuthenticator("too-short".getBytes(StandardCharsets.UTF_8), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void expiredIsTokenExpiredAndSkewIsAllowed() throws Exception {
        long now = System.currentTimeMillis();
        JwtAuthenticator a = full();
        String expired = sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("dave").expirationTime(new Date(now - 60_000)).build());
        AuthException e = refusal(a, expired);
        assertThat(e.errorCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(e.closeCode()).isEqualTo(CloseCode.TOKEN_EXPIRED);
        String withinSkew = sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("dave").expirationTime(new Date(now - 20_000)).build());
        assertThat(a.authenticate(withinSkew).userId()).isEqualTo("dave");
    }

    @Test
    void timeIsTheClocksAndSkewIsThirtySeconds() throws Exception {
        Instant t = Instant.parse("2030-01-01T00:00:00Z");
        JwtAuthenticator a = JwtAuthenticator.builder().secret(LONG_SECRET.getBytes(StandardCharsets.UTF_8))
                .clock(Clock.fixed(t, ZoneOffset.UTC)).build();
        JWTClaimsSet.Builder c = claims("erin");
        assertThat(a.authenticate(sign(JWSAlgorithm.HS256, LONG_SECRET, null,
                c.expirationTime(Date.from(t.minusSeconds(29))).build())).userId()).isEqualTo("erin");
        assertThat(refusal(a, sign(JWSAlgorithm.HS256, LONG_SECRET, null,
                c.expirationTime(Date.from(t.minusSeconds(31))).build())).errorCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        JWTClaimsSet.Builder n = claims("erin").expirationTime(Date.from(t.plusSeconds(3600)));
        assertThat(a.authenticate(sign(JWSAlgorithm.HS256, LONG_SECRET, null,
                n.notBeforeTime(Date.from(t.plusSeconds(29))).build())).userId()).isEqualTo("erin");
        AuthException early = refusal(a, sign(JWSAlgorithm.HS256, LONG_SECRET, null,
                n.notBeforeTime(Date.from(t.plusSeconds(31))).build()));
        assertThat(early.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(early.closeCode()).isEqualTo(CloseCode.UNAUTHORIZED);
        assertThat(early.getMessage()).contains("nbf");
    }

    @Test
    void issuerAndAudienceAreChecked() throws Exception {
        JwtAuthenticator a = full();
        AuthException wrongIss = refusal(a, sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("f").issuer("https://evil.test").build()));
        assertThat(wrongIss.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(wrongIss.getMessage()).contains("iss");
        assertThat(refusal(a, sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("f").issuer(null).build())).getMessage())
                .contains("no iss");
        AuthException wrongAud = refusal(a, sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("f").audience("other").build()));
        assertThat(wrongAud.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(wrongAud.getMessage()).contains("aud");
        assertThat(refusal(a, sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("f").audience((String) null).build())).getMessage())
                .contains("no aud");
        // any one accepted audience among several is enough
        assertThat(a.authenticate(sign(JWSAlgorithm.RS256, RSA.getPrivate(), null,
                good("f").audience(List.of("elsewhere", "chat")).build())).userId()).isEqualTo("f");
    }

    @Test
    void wrongIssuerWinsOverExpiry() {
        // a client told token_expired would fetch another token from the same wrong issuer and retry
        String t = sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("g").issuer("https://evil.test")
                .expirationTime(new Date(System.currentTimeMillis() - 3_600_000)).build());
        assertThat(refusal(full(), t).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @Test
    void badSignatureWinsOverExpiry() {
        // an expired token with a forged signature must not learn anything beyond "unauthorized"
        String t = sign(JWSAlgorithm.RS256, RSA_OTHER.getPrivate(), null, good("g")
                .expirationTime(new Date(System.currentTimeMillis() - 3_600_000)).build());
        assertThat(refusal(full(), t).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @Test
    void unsignedTokensAreRefused() {
        JwtAuthenticator a = full();
        JWTClaimsSet c = good("mallory").build();
        assertThat(refusal(a, new PlainJWT(c).serialize()).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(refusal(a, TestKeys.raw("{\"alg\":\"none\"}", c, "")).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        // "none" with a signature attached, and odd spellings of it
        String hsSig = sign(JWSAlgorithm.HS256, LONG_SECRET, null, c).split("\\.")[2];
        assertThat(refusal(a, TestKeys.raw("{\"alg\":\"none\"}", c, hsSig)).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(refusal(a, TestKeys.raw("{\"alg\":\"None\"}", c, "")).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(refusal(a, TestKeys.raw("{\"alg\":\"NONE\"}", c, hsSig)).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pem-text", "der"})
    void hmacWithThePublicKeyAsSecretIsRefused(String form) {
        // the classic confusion: an HS256 token whose "secret" is the RSA public key the node trusts
        byte[] publicBytes = form.equals("der") ? RSA.getPublic().getEncoded()
                : pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII);
        String forged = TestKeys.hmacWithRawKey(JWSAlgorithm.HS256, publicBytes, good("mallory").build());
        // a node with public keys and no secret accepts no HMAC at all
        JwtAuthenticator noSecret = JwtAuthenticator.builder().publicKeys(pem(RSA.getPublic())).build();
        AuthException e = refusal(noSecret, forged);
        assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(e.getMessage()).contains("HS256 tokens are not accepted");
        // with a secret too, HMAC is checked with the secret only
        AuthException e2 = refusal(full(), forged);
        assertThat(e2.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(e2.getMessage()).contains("Invalid signature");
    }

    @Test
    void asymmetricKeysDoNotCrossAlgorithms() {
        JWTClaimsSet c = good("mallory").build();
        JwtAuthenticator rsaOnly = JwtAuthenticator.builder().publicKeys(pem(RSA.getPublic())).build();
        assertThat(refusal(rsaOnly, sign(JWSAlgorithm.ES256, EC.getPrivate(), null, c)).getMessage()).contains("ES256 tokens are not accepted");
        assertThat(refusal(rsaOnly, sign(JWSAlgorithm.EdDSA, ED.getPrivate(), null, c)).getMessage()).contains("EdDSA tokens are not accepted");
        assertThat(refusal(rsaOnly, sign(JWSAlgorithm.RS256, RSA_OTHER.getPrivate(), null, c)).getMessage()).contains("Invalid signature");
        // RS384/PS256 are not on the list even with an RSA key
        assertThat(refusal(rsaOnly, sign(JWSAlgorithm.RS384, RSA.getPrivate(), null, c)).getMessage()).contains("RS384 tokens are not accepted");
        assertThat(refusal(rsaOnly, sign(JWSAlgorithm.PS256, RSA.getPrivate(), null, c)).getMessage()).contains("PS256 tokens are not accepted");
    }

    @Test
    void tamperedPayloadIsRefused() {
        String t = sign(JWSAlgorithm.EdDSA, ED.getPrivate(), null, good("alice").build());
        String[] parts = t.split("\\.");
        String forged = parts[0] + "." + com.nimbusds.jose.util.Base64URL.encode(good("root").build().toString()) + "." + parts[2];
        assertThat(refusal(full(), forged).getMessage()).contains("Invalid signature");
    }

    @Test
    void criticalHeadersAreRefused() {
        JWTClaimsSet c = good("h").build();
        for (Object[] algKey : new Object[][] {{JWSAlgorithm.EdDSA, ED.getPrivate()}, {JWSAlgorithm.RS256, RSA.getPrivate()}}) {
            JWSHeader h = new JWSHeader.Builder((JWSAlgorithm) algKey[0]).criticalParams(Set.of("exp")).customParam("exp", 1).build();
            assertThat(refusal(full(), sign(h, algKey[1], c)).errorCode()).as(algKey[0].toString()).isEqualTo(ErrorCode.UNAUTHORIZED);
        }
    }

    @Test
    void typeHeaderMayBeJwtOrAccessToken() throws Exception {
        JWTClaimsSet c = good("i").build();
        assertThat(full().authenticate(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(),
                EC.getPrivate(), c)).userId()).isEqualTo("i");
        assertThat(full().authenticate(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).build(),
                EC.getPrivate(), c)).userId()).isEqualTo("i");
        assertThat(refusal(full(), sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt")).build(),
                EC.getPrivate(), c)).errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @Test
    void missingOrBlankSubIsRefused() {
        JwtAuthenticator a = full();
        assertThat(refusal(a, sign(JWSAlgorithm.HS256, LONG_SECRET, null, good(null).build())).getMessage()).contains("sub");
        assertThat(refusal(a, sign(JWSAlgorithm.HS256, LONG_SECRET, null, good("  ").build())).getMessage()).contains("sub");
    }

    @Test
    void garbageAndAnonymity() throws Exception {
        JwtAuthenticator a = full();
        assertThat(refusal(a, "not.a.jwt").errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(refusal(a, "a.b").errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(refusal(a, null).getMessage()).contains("a token is required");
        JwtAuthenticator anon = JwtAuthenticator.builder().publicKeys(pem(ED.getPublic())).allowAnonymous(true).build();
        assertThat(anon.authenticate("").anonymous()).isTrue();
        assertThat(refusal(anon, "junk").errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @Test
    void aNodeNeedsSomeWayToVerify() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().build()).isInstanceOf(IllegalArgumentException.class);
    }
}
