package io.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {

    @TempDir
    Path dir;

    @Test
    void theListNamesEveryProgramTheTestsRunWithItsPackage() {
        List<Tools.Tool> list = Tools.list();
        assertThat(list).extracting(Tools.Tool::name).contains("javac", "node", "npm", "redis-server", "nats-server",
                "chromium", "promtool", "openssl", "curl").doesNotHaveDuplicates();
        assertThat(list).filteredOn(t -> t.name().equals("nats-server")).singleElement()
                .satisfies(t -> assertThat(t.where()).containsExactly("nats-server", "/usr/sbin/nats-server"))
                .satisfies(t -> assertThat(t.debianPackage()).isEqualTo("nats-server"));
        assertThat(list).filteredOn(t -> t.name().equals("promtool")).singleElement()
                .satisfies(t -> assertThat(t.debianPackage()).isEqualTo("prometheus"));
    }

    @Test
    void aDirectoryEntryIsFoundWhenTheDirectoryExists() throws Exception {
        Path module = Files.createDirectories(dir.resolve("module"));
        List<Tools.Tool> list = Tools.parse(List.of("lib | /nonexistent/lib/ " + module + "/ | python3-lib",
                "gone | /nonexistent/gone/ | python3-gone"));
        assertThat(Tools.path("lib", list, "", true)).isEqualTo(module + "/");
        assertThatThrownBy(() -> Tools.path("gone", list, "", true)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("apt-get install -y python3-gone");
    }

    @Test
    void aNameIsLookedUpOnPathInOrderAndAnAbsolutePathAsItIs() throws Exception {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Path inSecond = program(second.resolve("tool"));
        Path absolute = program(dir.resolve("elsewhere"));
        Files.writeString(first.resolve("tool"), "not executable");
        List<Tools.Tool> list = Tools.parse(List.of(
                "# comment", "", "tool | tool | tool-pkg", "abs | /nonexistent/abs " + absolute + " | abs-pkg"));
        String path = first + File.pathSeparator + second;

        assertThat(Tools.path("tool", list, path, true)).isEqualTo(inSecond.toString());
        assertThat(Tools.path("abs", list, path, true)).isEqualTo(absolute.toString());
    }

    @Test
    void aMissingProgramFailsWithTheCommandThatInstallsIt() {
        List<Tools.Tool> list = Tools.parse(List.of("promtool | promtool /nonexistent/promtool | prometheus"));
        assertThatThrownBy(() -> Tools.path("promtool", list, dir.toString(), false))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("promtool is not installed (looked for: promtool /nonexistent/promtool")
                .hasMessageContaining("Install it with: sudo apt-get install -y prometheus")
                .hasMessageContaining("./test");
        assertThatThrownBy(() -> Tools.path("promtool", list, dir.toString(), true))
                .hasMessageContaining("Install it with: apt-get install -y prometheus ");
        assertThatThrownBy(() -> Tools.path("haproxy", list, dir.toString(), true))
                .isInstanceOf(AssertionError.class).hasMessageContaining("haproxy is not in .ci/tools.txt");
    }

    @Test
    void aLineWithoutThreeFieldsIsRefused() {
        assertThatThrownBy(() -> Tools.parse(List.of("node | node")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name | where | package");
        assertThatThrownBy(() -> Tools.parse(List.of("node | | nodejs")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Path program(Path p) throws Exception {
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
