package io.switchboard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWT options reach the node from flags, SWITCHBOARD_* variables and the YAML file, and bad ones stop start-up. */
class JwtOptionsTest {

    @TempDir
    Path dir;

    private static CliRun run(Map<String, String> env, String... args) {
        return CliRun.run(env, args);
    }

    @Test
    void optionsComeFromFlagsEnvironmentAndFile() throws Exception {
        Path yaml = dir.resolve("sb.yaml");
        Files.writeString(yaml, "jwks-url: https://idp.example.test/.well-known/jwks.json\njwt-issuer: https://idp.example.test/\n"
                + "jwks-refresh-interval: 2m\n");
        CliRun r = run(Map.of("SWITCHBOARD_JWT_AUDIENCE", "chat,switchboard"), "serve", "--config", yaml.toString(),
                "--jwt-public-key", "a.pem,b.pem", "--jwt-public-key", "c.pem", "--jwks-min-refresh-interval", "5s", "--print-config");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("jwks-url: https://idp.example.test/.well-known/jwks.json    # file")
                .contains("jwt-issuer: https://idp.example.test/    # file")
                .contains("jwks-refresh-interval: 2m    # file")
                .contains("jwks-min-refresh-interval: 5s    # flag")
                .contains("jwt-audience: [chat, switchboard]    # env SWITCHBOARD_JWT_AUDIENCE")
                .contains("jwt-public-key:").contains("# flag --jwt-public-key");
    }

    @Test
    void defaultsAreDocumented() {
        CliRun r = run(Map.of(), "serve", "--print-config");
        assertThat(r.out()).contains("jwks-refresh-interval: 5m    # default").contains("jwks-min-refresh-interval: 30s    # default");
        CliRun help = run(Map.of(), "serve", "--help");
        assertThat(help.out()).contains("--jwt-public-key", "--jwks-url", "--jwt-issuer", "--jwt-audience",
                "--jwks-refresh-interval", "--jwks-min-refresh-interval");
    }

    @Test
    void unreadableKeysOrBadUrlsStopStartUpWithAMessage() throws Exception {
        CliRun missing = run(Map.of(), "serve", "--port", "0", "--jwt-public-key", dir.resolve("nope.pem").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read the JWT public key file").contains("nope.pem");
        Path priv = dir.resolve("private.pem");
        Files.writeString(priv, TestKeys.pem("PRIVATE KEY", TestKeys.RSA.getPrivate().getEncoded()));
        CliRun privateKey = run(Map.of(), "serve", "--port", "0", "--jwt-public-key", priv.toString());
        assertThat(privateKey.exit()).isEqualTo(2);
        assertThat(privateKey.err()).contains("private key");
        CliRun ftp = run(Map.of("SWITCHBOARD_JWKS_URL", "ftp://127.0.0.1/keys"), "serve", "--port", "0");
        assertThat(ftp.exit()).isEqualTo(2);
        assertThat(ftp.err()).contains("SWITCHBOARD_JWKS_URL=ftp://127.0.0.1/keys is not an http or https URL");
    }
}
