package io.switchboard.server.auth;

import static io.switchboard.server.auth.TestKeys.ED;
import static io.switchboard.server.auth.TestKeys.EC;
import static io.switchboard.server.auth.TestKeys.LONG_SECRET;
import static io.switchboard.server.auth.TestKeys.RSA;
import static io.switchboard.server.auth.TestKeys.RSA_OTHER;
import static io.switchboard.server.auth.TestKeys.claims;
import static io.switchboard.server.auth.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.JwtConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real node with a 64-byte secret, an RSA, an EC P-256 and an Ed25519 public key in PEM files, a
 * required issuer and audience: every algorithm gets in, every bad token is refused with the documented
 * code, at the handshake and on {@code refresh}.
 */
class JwtAlgorithmsIT {

    private static final String ISSUER = "https://auth.example.test";
    private static final String AUDIENCE = "switchboard";

    @TempDir
    static Path dir;
    static TestServer node;

    @BeforeAll
    static void start() throws Exception {
        List<String> pems = List.of(TestKeys.writePem(dir, "rsa.pem", RSA.getPublic()).toString(),
                TestKeys.writePem(dir, "ec.pem", EC.getPublic()).toString(),
                TestKeys.writePem(dir, "ed.pem", ED.getPublic()).toString());
        node = TestServer.start(TestServer.config().jwtSecret(LONG_SECRET).jwt(JwtConfig.DEFAULT.withPublicKeys(pems)
                .withIssuer(ISSUER).withAudiences(List.of(AUDIENCE))));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JWTClaimsSet.Builder good(String sub) {
        return claims(sub).issuer(ISSUER).audience(AUDIENCE);
    }

    static Stream<Arguments> algorithms() {
        return Stream.of(Arguments.of(JWSAlgorithm.HS256, LONG_SECRET), Arguments.of(JWSAlgorithm.HS384, LONG_SECRET),
                Arguments.of(JWSAlgorithm.HS512, LONG_SECRET), Arguments.of(JWSAlgorithm.RS256, RSA.getPrivate()),
                Arguments.of(JWSAlgorithm.ES256, EC.getPrivate()), Arguments.of(JWSAlgorithm.EdDSA, ED.getPrivate()));
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void eachAlgorithmIsWelcomed(JWSAlgorithm alg, Object key) throws Exception {
        Handshakes.Answer a = Handshakes.connect(node.port(), sign(alg, key, null, good("user-" + alg).build()));
        assertThat(a.welcomed()).as(a.toString()).isTrue();
        assertThat(a.envelope().payloadText()).contains("\"userId\":\"user-" + alg + "\"");
    }

    static Stream<Arguments> badTokens() {
        long now = System.currentTimeMillis();
        return Stream.of(
                Arguments.of("expired", sign(JWSAlgorithm.RS256, RSA.getPrivate(), null,
                        good("x").expirationTime(new Date(now - 120_000)).build()), "token_expired", 4004),
                Arguments.of("not yet valid", sign(JWSAlgorithm.ES256, EC.getPrivate(), null,
                        good("x").notBeforeTime(new Date(now + 600_000)).build()), "unauthorized", 4500),
                Arguments.of("wrong issuer", sign(JWSAlgorithm.EdDSA, ED.getPrivate(), null,
                        good("x").issuer("https://evil.example.test").build()), "unauthorized", 4500),
                Arguments.of("wrong audience", sign(JWSAlgorithm.HS256, LONG_SECRET, null,
                        good("x").audience("another-service").build()), "unauthorized", 4500),
                Arguments.of("alg none", new PlainJWT(good("x").build()).serialize(), "unauthorized", 4500),
                Arguments.of("HS256 keyed with the RSA public key", TestKeys.hmacWithRawKey(JWSAlgorithm.HS256,
                        TestKeys.pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII), good("x").build()), "unauthorized", 4500),
                Arguments.of("RS256 by an unknown key", sign(JWSAlgorithm.RS256, RSA_OTHER.getPrivate(), null,
                        good("x").build()), "unauthorized", 4500));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokensAreRefusedAtTheHandshake(String what, String token, String code, int close) throws Exception {
        Handshakes.Answer a = Handshakes.connect(node.port(), token);
        assertThat(a.welcomed()).as(a.toString()).isFalse();
        assertThat(a.code()).as(a.toString()).isEqualTo(code);
        assertThat(a.close()).isEqualTo(close);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokensAreRefusedOnRefreshAndTheConnectionStays(String what, String token, String code, int close) throws Exception {
        try (WsClient c = WsClient.to(node.port()).token(sign(JWSAlgorithm.ES256, EC.getPrivate(), null, good("x").build())).connect()) {
            c.awaitType(MessageType.WELCOME);
            Envelope reply = c.call("refresh", null, "\"token\":\"" + token + "\"");
            assertThat(reply.type()).isEqualTo(MessageType.ERROR);
            assertThat(reply.code()).isEqualTo(code);
            assertThat(c.subscribe("chat:lobby").type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void refreshBeforeExpiryKeepsTheConnection() throws Exception {
        // exp 20 s ago is still inside the 30 s skew at the handshake; the session ends 30 s after exp, about 10 s from now
        Date soon = new Date(System.currentTimeMillis() - 20_000);
        String shortLived = sign(JWSAlgorithm.RS256, RSA.getPrivate(), null, good("frank").expirationTime(soon).build());
        try (WsClient refreshed = WsClient.to(node.port()).token(shortLived).connect();
             WsClient control = WsClient.to(node.port()).token(shortLived).connect()) {
            refreshed.awaitType(MessageType.WELCOME);
            control.awaitType(MessageType.WELCOME);
            // a new token of another algorithm, for the same user
            String next = sign(JWSAlgorithm.EdDSA, ED.getPrivate(), null, good("frank").build());
            Envelope ack = refreshed.call("refresh", null, "\"token\":\"" + next + "\"");
            assertThat(ack.type()).as(String.valueOf(ack.message())).isEqualTo(MessageType.ACK);
            assertThat(ack.payloadText()).contains("expiresAt");
            // the control connection, not refreshed, ends with token_expired; the refreshed one outlives it
            assertThat(control.awaitClose()).isEqualTo(4004);
            Thread.sleep(1000);
            assertThat(refreshed.isOpen()).isTrue();
            assertThat(refreshed.subscribe("chat:lobby").type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void aNodeWithPublicKeysButNoSecretRefusesHmac() throws Exception {
        try (TestServer keysOnly = TestServer.start(TestServer.config().jwtSecret(null)
                .jwt(JwtConfig.DEFAULT.withPublicKeys(List.of(TestKeys.pem(ED.getPublic())))))) {
            // the per-run random secret the node generated does not verify tokens once public keys are configured
            String hs = new TokenMinter(keysOnly.server.jwtSecret()).mint("grace", Duration.ofHours(1));
            Handshakes.Answer a = Handshakes.connect(keysOnly.port(), hs);
            assertThat(a.code()).as(a.toString()).isEqualTo("unauthorized");
            assertThat(a.envelope().message()).contains("HS256 tokens are not accepted");
            assertThat(Handshakes.welcomes(keysOnly.port(), sign(JWSAlgorithm.EdDSA, ED.getPrivate(), null, claims("grace").build())))
                    .isTrue();
        }
    }
}
