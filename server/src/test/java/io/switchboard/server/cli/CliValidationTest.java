package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad value from each source (flag, environment, YAML key) ends the command with exit code 2 and one
 * line naming that source, then a hint to --help; mistyped options and keys get a suggestion.
 */
class CliValidationTest {

    private static final String HINT = "Run 'switchboard serve --help' for the options.";

    @TempDir
    Path dir;

    /** The error output, checked to be exactly the one line and the hint. */
    private static String oneLine(CliRun r) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as(r.err()).hasSize(2);
        assertThat(lines.get(1)).isEqualTo(HINT);
        assertThat(r.out()).isEmpty();
        return lines.get(0);
    }

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("sb.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aBadFlagValueNamesTheFlag() {
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--port", "70000", "--print-config")))
                .isEqualTo("switchboard: --port 70000 is not a port number (0 to 65535)");
        assertThat(oneLine(CliRun.run(Map.of(), "--max-frame-bytes", "10", "--print-config")))
                .isEqualTo("switchboard: --max-frame-bytes 10 must be at least 2048");
        assertThat(oneLine(CliRun.run(Map.of(), "--max-channels", "-1", "--print-config")))
                .isEqualTo("switchboard: --max-channels -1 must be at least 1");
        assertThat(oneLine(CliRun.run(Map.of(), "--heartbeat-interval", "0s", "--print-config")))
                .isEqualTo("switchboard: --heartbeat-interval 0s must be longer than 0");
        assertThat(oneLine(CliRun.run(Map.of(), "--max-queued-bytes", "lots", "--print-config")))
                .isEqualTo("switchboard: --max-queued-bytes lots is not a whole number");
        assertThat(oneLine(CliRun.run(Map.of(), "--demo-tokens", "maybe", "--print-config")))
                .isEqualTo("switchboard: --demo-tokens maybe must be auto, on or off");
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        assertThat(oneLine(CliRun.run(Map.of("SWITCHBOARD_MAX_CHANNELS", "-1"), "serve", "--print-config")))
                .isEqualTo("switchboard: SWITCHBOARD_MAX_CHANNELS=-1 must be at least 1");
        assertThat(oneLine(CliRun.run(Map.of("SWITCHBOARD_PORT", "abc"), "serve", "--print-config")))
                .isEqualTo("switchboard: SWITCHBOARD_PORT=abc is not a whole number");
        assertThat(oneLine(CliRun.run(Map.of("SWITCHBOARD_ALLOW_ANONYMOUS", "maybe"), "serve", "--print-config")))
                .isEqualTo("switchboard: SWITCHBOARD_ALLOW_ANONYMOUS=maybe is not true or false");
        // the flag wins, so a bad value in the environment that a flag overrides does not matter
        assertThat(CliRun.run(Map.of("SWITCHBOARD_PORT", "abc"), "serve", "--port", "9000", "--print-config").exit()).isZero();
    }

    @Test
    void aBadYamlValueNamesTheFileLineAndKey() throws Exception {
        Path f = yaml("bind: 127.0.0.1\nport: eighty\n");
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config")))
                .isEqualTo("switchboard: " + f + " line 2: port: eighty is not a whole number");
        f = yaml("# limits\nmax-frame-bytes: 10\n");
        assertThat(oneLine(CliRun.run(Map.of("SWITCHBOARD_CONFIG", f.toString()), "serve", "--print-config")))
                .isEqualTo("switchboard: " + f + " line 2: max-frame-bytes: 10 must be at least 2048");
        f = yaml("port: 1\nport: 2\n");
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config")))
                .isEqualTo("switchboard: " + f + " line 2: port is given twice (also on line 1)");
    }

    @Test
    void urlsForAnEngineOrBrokerThatIsNotUsedAreRefused() throws Exception {
        assertThat(oneLine(CliRun.run(Map.of("SWITCHBOARD_REDIS_URL", "redis://:hunter2@127.0.0.1:6379"), "serve", "--print-config")))
                .isEqualTo("switchboard: SWITCHBOARD_REDIS_URL=redis://:****@127.0.0.1:6379 needs --engine redis: "
                        + "the memory engine would ignore it");
        Path f = yaml("engine: redis\nredis-url: redis://127.0.0.1:6379\nbroker: nats\n");
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config")))
                .isEqualTo("switchboard: " + f + " line 3: broker: nats needs --nats-url (e.g. nats://127.0.0.1:4222)");
    }

    @Test
    void secretsAreNotEchoedAndControlCharactersAreEscaped() {
        String line = oneLine(CliRun.run(Map.of("SWITCHBOARD_JWT_SECRET", "hunter2"), "serve", "--print-config"));
        assertThat(line).isEqualTo("switchboard: SWITCHBOARD_JWT_SECRET must be at least 32 bytes for HS256").doesNotContain("hunter2");
        assertThat(oneLine(CliRun.run(Map.of("SWITCHBOARD_PORT", "80\nforged line"), "serve", "--print-config")))
                .isEqualTo("switchboard: SWITCHBOARD_PORT=80\\nforged line is not a whole number");
        CliRun pem = CliRun.run(Map.of("SWITCHBOARD_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\nMFkwEw\n-----END PUBLIC KEY-----"),
                "serve", "--print-config");
        assertThat(pem.out()).contains("# jwt-public-key: '(PEM text)'    # env SWITCHBOARD_JWT_PUBLIC_KEY").doesNotContain("MFkwEw");
    }

    @Test
    void mistypedFlagsAndYamlKeysGetASuggestion() throws Exception {
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--max-chanels", "5")))
                .isEqualTo("switchboard: unknown option --max-chanels; did you mean --max-channels?");
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--prot=80")))
                .isEqualTo("switchboard: unknown option --prot; did you mean --port?");
        Path f = yaml("port: 8080\nmax-chanels: 5\n");
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config")))
                .isEqualTo("switchboard: unknown key 'max-chanels' in " + f + " line 2; did you mean 'max-channels'?");
        f = yaml("namespaces:\n  chat:\n    histroy-size: 7\n");
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config")))
                .startsWith("switchboard: " + f + ": unknown option 'histroy-size' in namespace 'chat'");
        f = yaml("completely-unrelated: 1\n");
        assertThat(oneLine(CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config")))
                .isEqualTo("switchboard: unknown key 'completely-unrelated' in " + f + " line 1");
    }

    @Test
    void printConfigIsReadBackAsTheSameConfiguration() throws Exception {
        Path in = yaml("max-channels: 9\nallowed-origins: ['https://app.example.com', '*']\njwt-secret: file-secret-file-secret-file-secret-x\n"
                + "node-name: 'node #1: east'\nnamespaces:\n  orders:\n    history-size: 50\n    subscribe: claim\n");
        CliRun first = CliRun.run(Map.of("SWITCHBOARD_HEARTBEAT_INTERVAL", "5s", "SWITCHBOARD_JWT_AUDIENCE", "chat,switchboard"),
                "serve", "--config", in.toString(), "--port", "9001", "--allow-anonymous", "--engine", "redis",
                "--redis-url", "redis://127.0.0.1:6379", "--print-config");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("allowed-origins: [https://app.example.com, '*']", "node-name: 'node #1: east'",
                "# jwt-secret: '********'").doesNotContain("file-secret");
        Path printed = dir.resolve("printed.yaml");
        Files.writeString(printed, first.out());
        CliRun second = CliRun.run(Map.of(), "serve", "--config", printed.toString(), "--print-config");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("# jwt-secret:    # default: unset");
        assertThat(values(second.out())).isEqualTo(values(first.out()))
                .contains("port: 9001", "max-channels: 9", "heartbeat-interval: 5s", "allow-anonymous: true", "engine: redis",
                        "jwt-audience: [chat, switchboard]");
        assertThat(second.out()).contains("\"orders\": {history-size: 50, history-ttl: 10m");
        // the defaults alone read back too: no empty values that the reader refuses
        CliRun defaults = CliRun.run(Map.of(), "serve", "--print-config");
        Files.writeString(printed, defaults.out());
        CliRun again = CliRun.run(Map.of(), "serve", "--config", printed.toString(), "--print-config");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(values(again.out())).isEqualTo(values(defaults.out()));
    }

    /** The printed values: the lines without their source comments, and without the commented-out ones. */
    private static List<String> values(String printed) {
        return printed.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceFirst("    # .*$", "")).toList();
    }

    @Test
    void helpIsGroupedWithReadablePlaceholdersAndTheDefaultsOfServerConfig() {
        CliRun help = CliRun.run(Map.of(), "serve", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: switchboard serve [OPTION]...")
                .contains("\nNetwork:\n", "\nAuthentication:\n", "\nLimits:\n", "\nCluster:\n", "\nServer API, metrics and logs:\n")
                .contains("--max-frame-bytes=<bytes>", "--drain-window=<duration>", "--max-channels=<n>", "SWITCHBOARD_MAX_CHANNELS")
                .contains("Default: 65536.", "Default: 25s.");
        assertThat(help.out()).doesNotContainPattern("<[a-z]+[A-Z]");
        assertThat(help.out().indexOf("--max-frame-bytes")).isGreaterThan(help.out().indexOf("Limits:"));
        CliRun viaHelp = CliRun.run(Map.of(), "help", "serve");
        assertThat(viaHelp.exit()).isZero();
        assertThat(viaHelp.out()).isEqualTo(help.out());
        CliRun root = CliRun.run(Map.of(), "help");
        assertThat(root.exit()).isZero();
        assertThat(root.out()).contains("serve", "token", "version", "help");
    }

    @Test
    void theRealEntryPointPrintsOneLineForABadValue() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "io.switchboard.server.cli.Main", "--port", "70000").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isEqualTo(2);
        assertThat(output.lines().toList()).containsExactly("switchboard: --port 70000 is not a port number (0 to 65535)", HINT);
    }
}
