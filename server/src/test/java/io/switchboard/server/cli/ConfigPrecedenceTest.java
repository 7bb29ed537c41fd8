package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flag beats environment beats YAML beats default; secrets never print. */
class ConfigPrecedenceTest {

    @TempDir
    Path dir;

    private static CliRun run(Map<String, String> env, String... args) {
        return CliRun.run(env, args);
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault() throws Exception {
        Path yaml = dir.resolve("sb.yaml");
        Files.writeString(yaml, "port: 7001\nbind: 127.0.0.2\nmax-channels: 9\nheartbeat-interval: 5s\njwt-secret: file-secret-file-secret-file-secret-x\n");
        Map<String, String> env = Map.of("SWITCHBOARD_PORT", "7002", "SWITCHBOARD_MAX_CHANNELS", "10");
        CliRun r = run(env, "serve", "--config", yaml.toString(), "--port", "7003", "--print-config");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("port: 7003    # flag --port")
                .contains("max-channels: 10    # env SWITCHBOARD_MAX_CHANNELS")
                .contains("bind: 127.0.0.2    # file " + yaml)
                .contains("heartbeat-interval: 5s    # file")
                .contains("drain-window: 10s    # default")
                .contains("jwt-secret: '********'")
                .doesNotContain("file-secret");
    }

    @Test
    void namespacesComeFromYaml() throws Exception {
        Path yaml = dir.resolve("ns.yaml");
        Files.writeString(yaml, "namespaces:\n  chat:\n    history-size: 7\n    presence-window: 0\n  dm:\n    publish: claim\n    presence: true\n"
                + "    presence-window: 50ms\n    presence-counts-above: 20\n"
                + "  vip:\n    subscribe: claim\n  mixed:\n    subscribe: claim\n    history-access: authenticated\n");
        CliRun r = run(Map.of(), "serve", "--config", yaml.toString(), "--print-config");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("\"chat\": {history-size: 7, history-ttl: 10m")
                .contains("\"dm\": {history-size: 0").contains("presence: true, join-leave: false")
                .contains("presence-window: 50ms, presence-counts-above: 20}")
                .contains("presence-window: 0ms, presence-counts-above: 1000}")
                .contains("publish: claim")
                .contains("\"\": {history-size: 0")
                // reading follows subscribe unless set on its own
                .contains("\"vip\": {history-size: 0, history-ttl: 10m, stream-ttl: 24h, presence: false, join-leave: false, "
                        + "subscribe: claim, publish: authenticated, history-access: claim, presence-access: claim")
                .contains("subscribe: claim, publish: authenticated, history-access: authenticated, presence-access: claim");
        Files.writeString(yaml, "namespaces:\n  chat:\n    histroy-size: 7\n");
        CliRun typo = run(Map.of(), "serve", "--config", yaml.toString(), "--print-config");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("unknown option 'histroy-size' in namespace 'chat'");
        for (String[] bad : new String[][] {{"history-size: lots", "whole number"}, {"history-size: 1.5", "whole number"}, {"presence: \"yes\"", "true or false"},
                {"stream-ttl: 7d", "not a duration"}, {"presence-window: 20s", "presence-window must be at most 10s"},
                {"presence-counts-above: -1", "presence-counts-above must be 0 or more"},
                {"presence-counts-above: many", "whole number"}}) {
            Files.writeString(yaml, "namespaces:\n  chat:\n    " + bad[0] + "\n");
            CliRun r2 = run(Map.of(), "serve", "--config", yaml.toString(), "--print-config");
            assertThat(r2.exit()).as(bad[0]).isEqualTo(2);
            assertThat(r2.err()).as(bad[0]).contains(bad[1]).doesNotContain("Exception");
        }
        Files.writeString(yaml, "namespaces:\n  chat:\n    publish: everyone\n");
        assertThat(run(Map.of(), "serve", "--config", yaml.toString(), "--print-config").err())
                .contains("access must be anonymous, authenticated, claim or none");
    }

    @Test
    void aPublicBindNeedsTlsOrAnExplicitProxyFlag() {
        CliRun bare = run(Map.of(), "serve", "--bind", "0.0.0.0", "--print-config");
        assertThat(bare.exit()).isEqualTo(2);
        assertThat(bare.err()).contains("--behind-tls-proxy");
        assertThat(run(Map.of(), "serve", "--bind", "0.0.0.0", "--behind-tls-proxy", "--print-config").exit()).isZero();
        CliRun half = run(Map.of(), "serve", "--tls-cert", "a.pem", "--print-config");
        assertThat(half.exit()).isEqualTo(2);
        assertThat(half.err()).contains("go together");
    }

    @Test
    void serveIsTheDefaultCommand() {
        CliRun r = run(Map.of(), "--print-config");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("port: 8080    # default").contains("bind: 127.0.0.1    # default");
    }

    @Test
    void unknownFileKeysAndBadValuesAreClearErrors() throws Exception {
        Path yaml = dir.resolve("typo.yaml");
        Files.writeString(yaml, "prot: 1\n");
        CliRun r = run(Map.of(), "serve", "--config", yaml.toString(), "--print-config");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown key 'prot'");
        CliRun shortSecret = run(Map.of(), "serve", "--jwt-secret", "short", "--print-config");
        assertThat(shortSecret.exit()).isEqualTo(2);
        assertThat(shortSecret.err()).contains("at least 32 bytes");
        CliRun badDuration = run(Map.of(), "serve", "--drain-window", "soon", "--print-config");
        assertThat(badDuration.exit()).isEqualTo(2);
        assertThat(badDuration.err()).contains("not a duration");
    }

    @Test
    void tokenPrintsOnlyTheTokenAndUsesEnvSecret() {
        CliRun r = run(Map.of("SWITCHBOARD_JWT_SECRET", "env-secret-env-secret-env-secret-xx"), "token", "--user", "alice", "--ttl", "5m");
        assertThat(r.exit()).isZero();
        assertThat(r.out().trim()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        CliRun missing = run(Map.of(), "token", "--user", "alice");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--jwt-secret");
    }

    @Test
    void durationsReadAndPrintBack() {
        assertThat(DurationConverter.parse("250ms").toMillis()).isEqualTo(250);
        assertThat(DurationConverter.parse("10s").toMillis()).isEqualTo(10_000);
        assertThat(DurationConverter.parse("2m").toMillis()).isEqualTo(120_000);
        assertThat(DurationConverter.parse("1500").toMillis()).isEqualTo(1500);
        assertThat(DurationConverter.format(DurationConverter.parse("90s"))).isEqualTo("90s");
    }
}
