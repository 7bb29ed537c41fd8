package io.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The certificate and key go together, each refusal naming the half that was given; the proxy flag is kept apart from them. */
class TlsConfigTest {

    private static final Path CERT = Path.of("cert.pem");
    private static final Path KEY = Path.of("key.pem");

    private static void refused(Runnable build, String key, String reason) {
        assertThatThrownBy(build::run).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.reason()).isEqualTo(reason);
        });
    }

    @Test
    void theDefaultIsPlainAndClaimsNoProxy() {
        assertThat(new ServerConfig().tls()).isSameAs(TlsConfig.NONE);
        assertThat(TlsConfig.NONE.enabled()).isFalse();
        assertThat(TlsConfig.NONE.behindProxy()).isFalse();
    }

    @Test
    void aCertificateWithoutItsKeyOrAKeyWithoutItsCertificateIsRefused() {
        refused(() -> TlsConfig.NONE.withFiles(CERT, null), "tls-cert", "needs --tls-key too: they go together");
        refused(() -> TlsConfig.NONE.withFiles(null, KEY), "tls-key", "needs --tls-cert too: they go together");
    }

    @Test
    void bothFilesTurnTlsOnAndNeitherTurnsItOffAgain() {
        TlsConfig on = TlsConfig.NONE.withFiles(CERT, KEY);
        assertThat(on.enabled()).isTrue();
        assertThat(on.cert()).isEqualTo(CERT);
        assertThat(on.key()).isEqualTo(KEY);
        assertThat(on.withFiles(null, null)).isEqualTo(TlsConfig.NONE);
    }

    @Test
    void theProxyFlagAndTheFilesAreSetIndependently() {
        TlsConfig both = TlsConfig.NONE.withBehindProxy(true).withFiles(CERT, KEY);
        assertThat(both).isEqualTo(new TlsConfig(CERT, KEY, true));
        assertThat(both.withBehindProxy(false)).isEqualTo(new TlsConfig(CERT, KEY, false));
        assertThat(TlsConfig.NONE.behindProxy()).isFalse();
    }

    @Test
    void aConfigTakesNoNullTls() {
        assertThatThrownBy(() -> new ServerConfig().tls(null)).isInstanceOf(NullPointerException.class);
    }
}
