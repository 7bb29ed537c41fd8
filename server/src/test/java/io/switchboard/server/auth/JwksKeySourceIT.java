package io.switchboard.server.auth;

import static io.switchboard.server.auth.TestKeys.ED;
import static io.switchboard.server.auth.TestKeys.EC;
import static io.switchboard.server.auth.TestKeys.RSA;
import static io.switchboard.server.auth.TestKeys.claims;
import static io.switchboard.server.auth.TestKeys.keys;
import static io.switchboard.server.auth.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JWKS cache against a real HTTP endpoint on 127.0.0.1: loading, refreshing, failures, the rate limit. */
class JwksKeySourceIT {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private JwksServer jwks;

    @BeforeEach
    void startJwks() throws Exception {
        jwks = JwksServer.start();
    }

    @AfterEach
    void stopJwks() {
        jwks.close();
    }

    private JwtAuthenticator authenticator(Duration refresh, Duration minRefresh) {
        return JwtAuthenticator.builder().jwksUrl(jwks.url()).jwksRefreshInterval(refresh)
                .jwksMinRefreshInterval(minRefresh).build().start(Duration.ofSeconds(10));
    }

    private static String rs(String kid, String sub) {
        return sign(JWSAlgorithm.RS256, RSA.getPrivate(), kid, claims(sub).build());
    }

    private static String es(String kid, String sub) {
        return sign(JWSAlgorithm.ES256, EC.getPrivate(), kid, claims(sub).build());
    }

    private static boolean accepts(JwtAuthenticator a, String token) {
        try {
            a.authenticate(token);
            return true;
        } catch (AuthException e) {
            return false;
        }
    }

    private static AuthException refusal(JwtAuthenticator a, String token) {
        try {
            a.authenticate(token);
        } catch (AuthException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    @Test
    void periodicRefreshPicksUpRotation() throws Exception {
        jwks.serve("r1", RSA.getPublic());
        try (JwtAuthenticator a = authenticator(Duration.ofMillis(300), Duration.ofSeconds(30))) {
            assertThat(a.authenticate(rs("r1", "alice")).userId()).isEqualTo("alice");
            jwks.serve("e1", EC.getPublic());
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(refusal(a, rs("r1", "alice")).errorCode())
                    .isEqualTo(ErrorCode.UNAUTHORIZED));
            assertThat(a.authenticate(es("e1", "alice")).userId()).isEqualTo("alice");
        }
    }

    @Test
    void aFailedFetchKeepsTheLastGoodKeys() throws Exception {
        jwks.serve("r1", RSA.getPublic());
        try (JwtAuthenticator a = authenticator(Duration.ofMillis(200), Duration.ofSeconds(30))) {
            long before = a.jwks().completedFetches();
            jwks.serveRaw(500, "down");
            await().atMost(PATIENCE).until(() -> a.jwks().completedFetches() >= before + 2);
            assertThat(a.authenticate(rs("r1", "bob")).userId()).isEqualTo("bob");
            long mid = a.jwks().completedFetches();
            jwks.serveRaw(200, "<html>not a key set</html>");
            await().atMost(PATIENCE).until(() -> a.jwks().completedFetches() >= mid + 2);
            assertThat(a.authenticate(rs("r1", "bob")).userId()).isEqualTo("bob");
        }
    }

    @Test
    void untilTheFirstFetchSucceedsTokensAreRefusedAsUnavailable() throws Exception {
        jwks.serveRaw(503, "starting");
        try (JwtAuthenticator a = authenticator(Duration.ofMillis(300), Duration.ofSeconds(30))) {
            assertThat(a.jwks().current()).isNull();
            AuthException e = refusal(a, rs("r1", "carol"));
            assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.errorCode().retryable()).isTrue();
            assertThat(e.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
            jwks.serve("r1", RSA.getPublic());
            await().atMost(PATIENCE).until(() -> accepts(a, rs("r1", "carol")));
        }
    }

    @Test
    void anUnknownKidFetchesEarlyWithoutWaitingForTheInterval() throws Exception {
        jwks.serve("r1", RSA.getPublic());
        try (JwtAuthenticator a = authenticator(Duration.ofHours(1), Duration.ZERO)) {
            assertThat(jwks.requests()).isEqualTo(1);
            jwks.serve(keys("r1", RSA.getPublic(), "d1", ED.getPublic()));
            String token = sign(JWSAlgorithm.EdDSA, ED.getPrivate(), "d1", claims("dave").build());
            AuthException first = refusal(a, token);
            assertThat(first.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(first.getMessage()).contains("unknown key id 'd1'").contains("retry");
            await().atMost(PATIENCE).until(() -> accepts(a, token));
            assertThat(a.authenticate(token).userId()).isEqualTo("dave");
            assertThat(jwks.requests()).isBetween(2, 10);
        }
    }

    @Test
    void earlyFetchesAreRateLimited() throws Exception {
        jwks.serve("r1", RSA.getPublic());
        try (JwtAuthenticator a = authenticator(Duration.ofHours(1), Duration.ofHours(1))) {
            assertThat(jwks.requests()).isEqualTo(1);
            for (int i = 0; i < 20; i++) {
                assertThat(refusal(a, rs("kid-" + i, "eve")).getMessage()).contains("unknown key id");
            }
            Thread.sleep(1000);
            assertThat(jwks.requests()).isEqualTo(1);
        }
    }

    @Test
    void anOversizedDocumentIsNotLoaded() throws Exception {
        jwks.serveRaw(200, "{\"keys\":[],\"padding\":\"" + "x".repeat(JwksKeySource.MAX_DOCUMENT_BYTES) + "\"}");
        try (JwtAuthenticator a = authenticator(Duration.ofHours(1), Duration.ofHours(1))) {
            assertThat(a.jwks().completedFetches()).isEqualTo(1);
            assertThat(a.jwks().current()).isNull();
        }
    }

    @Test
    void closeStopsTheRefresh() throws Exception {
        jwks.serve("r1", RSA.getPublic());
        JwtAuthenticator a = authenticator(Duration.ofMillis(100), Duration.ZERO);
        await().atMost(PATIENCE).until(() -> jwks.requests() >= 3);
        a.close();
        Thread.sleep(300); // lets a fetch already in flight land
        int after = jwks.requests();
        Thread.sleep(1000);
        assertThat(jwks.requests()).isEqualTo(after);
    }

    @Test
    void onlyHttpAndHttpsUrlsAreAccepted() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().jwksUrl("ftp://127.0.0.1/jwks").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
        assertThatThrownBy(() -> JwtAuthenticator.builder().jwksUrl("/just/a/path").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtAuthenticator.builder().jwksUrl(jwks.url()).jwksRefreshInterval(Duration.ZERO).build())
                .hasMessageContaining("--jwks-refresh-interval");
    }
}
