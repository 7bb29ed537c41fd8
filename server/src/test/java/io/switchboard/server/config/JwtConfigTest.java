package io.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The defaults, range rules and tidying of JwtConfig, each refusal naming its option, and that a with-method changes one value only. */
class JwtConfigTest {

    private static final JwtConfig D = JwtConfig.DEFAULT;

    private static void refused(Runnable build, String key, String reason) {
        assertThatThrownBy(build::run).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.reason()).isEqualTo(reason);
        });
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(new ServerConfig().jwt()).isSameAs(D);
        assertThat(D).isEqualTo(new JwtConfig(List.of(), null, Duration.ofMinutes(5), Duration.ofSeconds(30), null, List.of()));
    }

    @Test
    void theJwksUrlIsHttpOrHttpsAndEmptyMeansUnset() {
        refused(() -> D.withJwksUrl("ftp://idp/keys"), "jwks-url", "is not an http or https URL");
        refused(() -> D.withJwksUrl("/just/a/path"), "jwks-url", "is not an http or https URL");
        assertThat(D.withJwksUrl("https://idp/keys").jwksUrl()).isEqualTo("https://idp/keys");
        assertThat(D.withJwksUrl("http://idp/keys").jwksUrl()).isEqualTo("http://idp/keys");
        assertThat(D.withJwksUrl("").jwksUrl()).isNull();
        assertThat(D.withJwksUrl(null).jwksUrl()).isNull();
    }

    @Test
    void theRefreshIsLongerThanZeroAndItsPauseNotNegative() {
        refused(() -> D.withJwksRefreshInterval(Duration.ZERO), "jwks-refresh-interval", "must be longer than 0");
        refused(() -> D.withJwksRefreshInterval(null), "jwks-refresh-interval", "must be longer than 0");
        refused(() -> D.withJwksMinRefreshInterval(Duration.ofMillis(-1)), "jwks-min-refresh-interval", "must not be negative");
        assertThat(D.withJwksMinRefreshInterval(Duration.ZERO).jwksMinRefreshInterval()).isZero();
        assertThat(D.withJwksRefreshInterval(Duration.ofMinutes(1)).jwksRefreshInterval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void listsLoseBlankEntriesAndSpacesAndAreCopies() {
        List<String> keys = new ArrayList<>(Arrays.asList(" a.pem ", "", "  ", "b.pem"));
        JwtConfig c = D.withPublicKeys(keys).withAudiences(Arrays.asList("x", " ", " y"));
        keys.add("c.pem");
        assertThat(c.publicKeys()).containsExactly("a.pem", "b.pem");
        assertThat(c.audiences()).containsExactly("x", "y");
        assertThat(D.withPublicKeys(null).publicKeys()).isEmpty();
        assertThat(D.withAudiences(null).audiences()).isEmpty();
    }

    @Test
    void anEmptyIssuerIsNotChecked() {
        assertThat(D.withIssuer("").issuer()).isNull();
        assertThat(D.withIssuer("https://idp").issuer()).isEqualTo("https://idp");
    }

    @Test
    void aWithMethodChangesItsValueAndLeavesTheRestAndTheReceiverAlone() {
        JwtConfig c = D.withIssuer("iss").withJwksUrl("https://idp/keys");
        assertThat(c.withAudiences(List.of("aud"))).isEqualTo(new JwtConfig(List.of(), "https://idp/keys", Duration.ofMinutes(5),
                Duration.ofSeconds(30), "iss", List.of("aud")));
        assertThat(c.withPublicKeys(List.of("k.pem"))).isEqualTo(new JwtConfig(List.of("k.pem"), "https://idp/keys",
                Duration.ofMinutes(5), Duration.ofSeconds(30), "iss", List.of()));
        assertThat(c.audiences()).isEmpty();
        assertThat(D.issuer()).isNull();
    }

    @Test
    void aConfigTakesNoNullJwt() {
        assertThatThrownBy(() -> new ServerConfig().jwt(null)).isInstanceOf(NullPointerException.class);
    }
}
