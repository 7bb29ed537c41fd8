package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --trusted-proxies, --proxy-protocol and --forwarded-header from each source, refused readably, printed and read back. */
class ProxyOptionsTest {

    @TempDir
    Path dir;

    private static String firstLine(CliRun r) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        return r.err().lines().findFirst().orElseThrow();
    }

    @Test
    void badValuesNameTheirSourceAndTheBadEntry() throws Exception {
        assertThat(firstLine(CliRun.run(Map.of(), "serve", "--trusted-proxies", "10.0.0.0/8,lb.internal", "--print-config")))
                .isEqualTo("switchboard: --trusted-proxies 10.0.0.0/8,lb.internal has a bad entry: lb.internal is not an IP "
                        + "address or a block such as 10.0.0.0/8");
        assertThat(firstLine(CliRun.run(Map.of("SWITCHBOARD_TRUSTED_PROXIES", "10.0.0.0/33"), "serve", "--print-config")))
                .isEqualTo("switchboard: SWITCHBOARD_TRUSTED_PROXIES=10.0.0.0/33 has a bad entry: 10.0.0.0/33: the prefix "
                        + "length must be 0 to 32");
        assertThat(firstLine(CliRun.run(Map.of(), "serve", "--proxy-protocol", "maybe", "--print-config")))
                .isEqualTo("switchboard: --proxy-protocol maybe must be auto, on or off");
        Path f = dir.resolve("sb.yaml");
        Files.writeString(f, "port: 8080\nforwarded-header: x-real-ip\n");
        assertThat(firstLine(CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config")))
                .isEqualTo("switchboard: " + f + " line 2: forwarded-header: x-real-ip must be x-forwarded-for, forwarded or none");
    }

    @Test
    void theDefaultsAreLoopbackAutoAndXForwardedFor() {
        CliRun r = CliRun.run(Map.of(), "serve", "--print-config");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("trusted-proxies: [127.0.0.0/8, '::1']", "proxy-protocol: auto", "forwarded-header: x-forwarded-for");
    }

    @Test
    void yamlValuesAreReadAndTheirPrintReadsBack() throws Exception {
        Path f = dir.resolve("sb.yaml");
        Files.writeString(f, "trusted-proxies: [10.0.0.0/8, 'fd00::/8']\nproxy-protocol: on\nforwarded-header: forwarded\n");
        CliRun first = CliRun.run(Map.of(), "serve", "--config", f.toString(), "--print-config");
        assertThat(first.exit()).as(first.err()).isZero();
        // An unquoted on is a YAML boolean: it is taken as the word, and printed quoted.
        assertThat(first.out()).contains("trusted-proxies: [10.0.0.0/8, fd00::/8]", "proxy-protocol: 'on'", "forwarded-header: forwarded");
        Path printed = dir.resolve("printed.yaml");
        Files.writeString(printed, first.out());
        CliRun second = CliRun.run(Map.of(), "serve", "--config", printed.toString(), "--print-config");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("trusted-proxies: [10.0.0.0/8, fd00::/8]", "proxy-protocol: 'on'", "forwarded-header: forwarded");

        CliRun none = CliRun.run(Map.of(), "serve", "--trusted-proxies", "none", "--print-config");
        assertThat(none.out()).contains("trusted-proxies: [none]");
        Files.writeString(printed, none.out());
        assertThat(CliRun.run(Map.of(), "serve", "--config", printed.toString(), "--print-config").out()).contains("trusted-proxies: [none]");
    }
}
