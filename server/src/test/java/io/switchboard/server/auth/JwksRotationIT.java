package io.switchboard.server.auth;

import static io.switchboard.server.auth.TestKeys.ED;
import static io.switchboard.server.auth.TestKeys.EC;
import static io.switchboard.server.auth.TestKeys.RSA;
import static io.switchboard.server.auth.TestKeys.claims;
import static io.switchboard.server.auth.TestKeys.keys;
import static io.switchboard.server.auth.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.JwtConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A node that takes its keys from a JWKS served by the test, rotated while the node runs. */
class JwksRotationIT {

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

    private ServerConfig config(Duration refresh, Duration minRefresh) {
        return TestServer.config().jwt(JwtConfig.DEFAULT.withJwksUrl(jwks.url()).withJwksRefreshInterval(refresh)
                .withJwksMinRefreshInterval(minRefresh));
    }

    private static String rs(String kid, String sub) {
        return sign(JWSAlgorithm.RS256, RSA.getPrivate(), kid, claims(sub).build());
    }

    private static String es(String kid, String sub) {
        return sign(JWSAlgorithm.ES256, EC.getPrivate(), kid, claims(sub).build());
    }

    @Test
    void rotatedKeysApplyWithoutRestartingTheNode() throws Exception {
        jwks.serve("old", RSA.getPublic());
        // periodic refresh only: the early refresh on unknown kids is held off for the whole test
        try (TestServer node = TestServer.start(config(Duration.ofMillis(500), Duration.ofHours(1)))) {
            int port = node.port();
            assertThat(Handshakes.welcomes(port, rs("old", "alice"))).isTrue();
            try (WsClient open = WsClient.to(port).token(es("new", "alice")).connect()) {
                Envelope first = open.await(e -> e.type() == MessageType.WELCOME || e.type() == MessageType.ERROR);
                assertThat(first.code()).isEqualTo("unauthorized"); // "new" is not published yet
            }

            // publish the new key next to the old one: tokens of both are accepted
            jwks.serve(keys("old", RSA.getPublic(), "new", EC.getPublic()));
            await().atMost(PATIENCE).until(() -> Handshakes.welcomes(port, es("new", "alice")));
            assertThat(Handshakes.welcomes(port, rs("old", "alice"))).isTrue();

            try (WsClient alice = WsClient.to(port).token(es("new", "alice")).connect()) {
                alice.awaitType(MessageType.WELCOME);

                // retire the old key: its tokens are refused once the node has refreshed
                jwks.serve("new", EC.getPublic());
                await().atMost(PATIENCE).until(() -> {
                    Handshakes.Answer a = Handshakes.connect(port, rs("old", "alice"));
                    return !a.welcomed() && a.code().equals("unauthorized") && a.close() == 4500;
                });
                assertThat(Handshakes.welcomes(port, es("new", "alice"))).isTrue();
                assertThat(node.port()).isEqualTo(port);

                // an open connection refreshes with a token of the new key, not the retired one
                assertThat(alice.call("refresh", null, "\"token\":\"" + rs("old", "alice") + "\"").code()).isEqualTo("unauthorized");
                assertThat(alice.call("refresh", null, "\"token\":\"" + es("new", "alice") + "\"").type()).isEqualTo(MessageType.ACK);
            }
        }
    }

    @Test
    void anUnknownKidMakesTheNodeFetchEarly() throws Exception {
        jwks.serve("r1", RSA.getPublic());
        // the periodic refresh would take an hour; only the unknown kid can bring the new key in
        try (TestServer node = TestServer.start(config(Duration.ofHours(1), Duration.ZERO))) {
            int fetchesAtStart = jwks.requests();
            jwks.serve(keys("r1", RSA.getPublic(), "d1", ED.getPublic()));
            String token = sign(JWSAlgorithm.EdDSA, ED.getPrivate(), "d1", claims("dave").build());
            Handshakes.Answer first = Handshakes.connect(node.port(), token);
            assertThat(first.code()).as(first.toString()).isEqualTo("unauthorized");
            assertThat(first.envelope().message()).contains("unknown key id 'd1'");
            assertThat(first.close()).isEqualTo(4500);
            await().atMost(PATIENCE).until(() -> Handshakes.welcomes(node.port(), token));
            assertThat(jwks.requests()).isGreaterThan(fetchesAtStart);
        }
    }

    @Test
    void beforeTheKeysLoadTokensAreRefusedAsUnavailableButTheSecretStillWorks() throws Exception {
        jwks.serveRaw(503, "not yet");
        try (TestServer node = TestServer.start(config(Duration.ofMillis(500), Duration.ofHours(1)))) {
            Handshakes.Answer a = Handshakes.connect(node.port(), rs("r1", "erin"));
            assertThat(a.code()).as(a.toString()).isEqualTo("unavailable");
            assertThat(a.envelope().retryable()).isTrue();
            assertThat(a.close()).isEqualTo(1001);
            // the configured secret does not depend on the JWKS
            assertThat(Handshakes.welcomes(node.port(), node.token("erin"))).isTrue();
            jwks.serve("r1", RSA.getPublic());
            await().atMost(PATIENCE).until(() -> Handshakes.welcomes(node.port(), rs("r1", "erin")));
        }
    }
}
