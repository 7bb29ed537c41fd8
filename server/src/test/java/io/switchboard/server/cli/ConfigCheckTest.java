package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.CliRun;
import io.switchboard.testing.Tools;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard config check FILE}: exit 0 and one summary line for a usable file (the environment
 * read as serve reads it), exit 2 and the very line serve would fail with otherwise; nothing is started.
 */
class ConfigCheckTest {

    private static final String HINT = "Run 'switchboard config check --help' for the options.";

    @TempDir
    Path dir;

    private Path yaml(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /** The error line of a failed check, after checking it is one line and the hint. */
    private static String failure(CliRun r) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as(r.err()).hasSize(2);
        assertThat(lines.get(1)).isEqualTo(HINT);
        assertThat(r.out()).isEmpty();
        return lines.get(0);
    }

    /** What serve says about the same file and environment (its first error line). */
    private static String serveSays(Map<String, String> env, Path f) {
        CliRun serve = CliRun.run(env, "serve", "--config", f.toString(), "--print-config");
        assertThat(serve.exit()).as(serve.err()).isEqualTo(2);
        return serve.err().lines().findFirst().orElseThrow();
    }

    @Test
    void aUsableFileIsSummedUpInOneLineWithoutStartingANode() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // The port is held by this test: a node that really started would fail to bind it.
            Path f = yaml("sb.yaml", "# a node\nport: " + taken.getLocalPort() + "\nmax-channels: 9\n"
                    + "jwt-secret: file-secret-file-secret-file-secret-x\nnamespaces:\n  orders:\n    history-size: 50\n");
            CliRun r = CliRun.run(Map.of(), "config", "check", f.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out().lines().toList()).containsExactly("switchboard: " + f + " OK: 3 options from the file, 0 from the "
                    + "environment; listens on 127.0.0.1:" + taken.getLocalPort() + ", engine memory, 3 namespaces");
        }
    }

    @Test
    void theEnvironmentIsReadAsServeReadsItAndWinsOverTheFile() throws Exception {
        Path f = yaml("sb.yaml", "port: 9000\n");
        CliRun r = CliRun.run(Map.of("SWITCHBOARD_PORT", "9100", "SWITCHBOARD_ENGINE", "redis",
                "SWITCHBOARD_REDIS_URL", "redis://127.0.0.1:1"), "config", "check", f.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("switchboard: " + f + " OK: 0 options from the file, 3 from the environment; "
                + "listens on 127.0.0.1:9100, engine redis (1 Redis URL)");
        // no file named: SWITCHBOARD_CONFIG's, as serve does
        CliRun viaEnv = CliRun.run(Map.of("SWITCHBOARD_CONFIG", f.toString()), "config", "check");
        assertThat(viaEnv.out()).startsWith("switchboard: " + f + " OK: 1 options from the file, 0 from the environment; "
                + "listens on 127.0.0.1:9000");
        // a bad value in the environment fails the check even though the file is fine
        Map<String, String> env = Map.of("SWITCHBOARD_MAX_CHANNELS", "-1");
        assertThat(failure(CliRun.run(env, "config", "check", f.toString())))
                .isEqualTo("switchboard: SWITCHBOARD_MAX_CHANNELS=-1 must be at least 1")
                .isEqualTo(serveSays(env, f));
    }

    @Test
    void aBadFileGivesTheLineServeWouldGive() throws Exception {
        Path f = yaml("values.yaml", "bind: 127.0.0.1\nport: eighty\n");
        assertThat(failure(CliRun.run(Map.of(), "config", "check", f.toString())))
                .isEqualTo("switchboard: " + f + " line 2: port: eighty is not a whole number")
                .isEqualTo(serveSays(Map.of(), f));
        f = yaml("typo.yaml", "port: 8080\nmax-chanels: 5\n");
        assertThat(failure(CliRun.run(Map.of(), "config", "check", f.toString())))
                .isEqualTo("switchboard: unknown key 'max-chanels' in " + f + " line 2; did you mean 'max-channels'?")
                .isEqualTo(serveSays(Map.of(), f));
        f = yaml("public.yaml", "bind: 0.0.0.0\n");
        assertThat(failure(CliRun.run(Map.of(), "config", "check", f.toString())))
                .startsWith("switchboard: " + f + " line 1: bind: 0.0.0.0 without TLS exposes tokens")
                .isEqualTo(serveSays(Map.of(), f));
        f = yaml("ns.yaml", "namespaces:\n  chat:\n    histroy-size: 7\n");
        assertThat(failure(CliRun.run(Map.of(), "config", "check", f.toString())))
                .startsWith("switchboard: " + f + ": unknown option 'histroy-size' in namespace 'chat'")
                .isEqualTo(serveSays(Map.of(), f));
        Path missing = dir.resolve("missing.yaml");
        assertThat(failure(CliRun.run(Map.of(), "config", "check", missing.toString())))
                .startsWith("switchboard: cannot read config file " + missing);
    }

    @Test
    void theKeyAndCertificateFilesItNamesAreLoaded() throws Exception {
        Path f = yaml("keys.yaml", "jwt-public-key: " + dir.resolve("nowhere.pem") + "\n");
        assertThat(failure(CliRun.run(Map.of(), "config", "check", f.toString())))
                .startsWith("switchboard: " + f + " line 1: jwt-public-key: cannot read the JWT public key file " + dir.resolve("nowhere.pem"));
        Path junk = yaml("junk.pem", "not a certificate\n");
        f = yaml("tls.yaml", "tls-cert: " + junk + "\ntls-key: " + junk + "\n");
        assertThat(failure(CliRun.run(Map.of(), "config", "check", f.toString())))
                .startsWith("switchboard: " + f + " line 1: tls-cert: " + junk + ": cannot load the TLS certificate or key");
        Path cert = dir.resolve("node.crt");
        Path key = dir.resolve("node.key");
        Process p = new ProcessBuilder(Tools.path("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=node")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        f = yaml("tls-ok.yaml", "bind: 0.0.0.0\ntls-cert: " + cert + "\ntls-key: " + key + "\n");
        CliRun ok = CliRun.run(Map.of(), "config", "check", f.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("switchboard: " + f + " OK: 3 options from the file, 0 from the environment; "
                + "listens on 0.0.0.0:8080 with TLS");
    }

    @Test
    void helpNamesTheCommand() {
        CliRun help = CliRun.run(Map.of(), "config", "check", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: switchboard config check").contains("FILE", "without starting a node");
        CliRun root = CliRun.run(Map.of(), "help");
        assertThat(root.out()).contains("config");
    }
}
