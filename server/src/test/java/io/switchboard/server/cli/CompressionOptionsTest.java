package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --compression, --compression-threshold and --compression-level from each source, refused readably, printed. */
class CompressionOptionsTest {

    @TempDir
    Path dir;

    @Test
    void offByDefaultAndOnFromAFlagTheEnvironmentOrTheFile() throws Exception {
        CliRun defaults = CliRun.run(Map.of(), "serve", "--print-config");
        assertThat(defaults.exit()).as(defaults.err()).isZero();
        assertThat(defaults.out()).contains("compression: 'off'", "compression-threshold: 256", "compression-level: 6");

        CliRun flag = CliRun.run(Map.of(), "serve", "--compression", "on", "--compression-threshold", "1024", "--print-config");
        assertThat(flag.out()).contains("compression: 'on'", "compression-threshold: 1024");
        CliRun env = CliRun.run(Map.of("SWITCHBOARD_COMPRESSION", "on", "SWITCHBOARD_COMPRESSION_LEVEL", "1"), "serve", "--print-config");
        assertThat(env.out()).contains("compression: 'on'", "compression-level: 1");
        Path f = dir.resolve("sb.yaml");
        Files.writeString(f, "compression: on\n"); // a YAML boolean, taken as the word
        CliRun yaml = CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config");
        assertThat(yaml.exit()).as(yaml.err()).isZero();
        assertThat(yaml.out()).contains("compression: 'on'");
    }

    @Test
    void badValuesAreRefusedNamingTheOption() {
        CliRun choice = CliRun.run(Map.of(), "serve", "--compression", "gzip", "--print-config");
        assertThat(choice.exit()).isEqualTo(2);
        assertThat(choice.err()).startsWith("switchboard: --compression gzip must be off or on");
        CliRun level = CliRun.run(Map.of(), "serve", "--compression-level", "0", "--print-config");
        assertThat(level.exit()).isEqualTo(2);
        assertThat(level.err()).contains("compression-level").contains("must be 1 to 9");
        CliRun threshold = CliRun.run(Map.of(), "serve", "--compression-threshold", "-1", "--print-config");
        assertThat(threshold.exit()).isEqualTo(2);
        assertThat(threshold.err()).contains("compression-threshold").contains("must not be negative");
    }
}
