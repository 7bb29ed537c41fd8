package io.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's test command, {@code ./test}, on a machine where {@code redis-server} is missing: a PATH
 * made of links to every program of the real PATH except {@code redis-server}. Whether it may not
 * install ({@code --check}, {@code SWITCHBOARD_TEST_NO_INSTALL}) or apt-get fails, it names the missing
 * program with the command that installs it, exits 1, and never starts the build: {@code SWITCHBOARD_MVNW}
 * points at a stand-in that would leave a file behind. Nothing here installs or starts anything.
 */
class TestScriptTest {

    @TempDir
    Path tmp;

    Path bin;
    Path built;
    Path aptCalls;

    @BeforeEach
    void pathWithoutRedis() throws Exception {
        bin = Files.createDirectories(tmp.resolve("bin"));
        built = tmp.resolve("mvnw-ran");
        aptCalls = tmp.resolve("apt-get-calls");
        Set<String> seen = new HashSet<>(Set.of("redis-server", "apt-get", "sudo"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path d = Path.of(dir);
            if (dir.isEmpty() || !Files.isDirectory(d)) {
                continue;
            }
            try (var entries = Files.list(d)) {
                for (Path p : (Iterable<Path>) entries::iterator) {
                    String name = p.getFileName().toString();
                    if (Files.isRegularFile(p) && Files.isExecutable(p) && seen.add(name)) {
                        Files.createSymbolicLink(bin.resolve(name), p);
                    }
                }
            }
        }
        // apt-get that fails and records how it was called; sudo that just runs the command (when not root).
        script(bin.resolve("apt-get"), "echo \"$*\" >> '" + aptCalls + "'\necho 'E: Unable to fetch some archives' >&2\nexit 100");
        script(bin.resolve("sudo"), "[ \"$1\" = -n ] && shift\nexec \"$@\"");
        script(tmp.resolve("mvnw"), "echo \"$*\" > '" + built + "'");
    }

    @Test
    void checkNamesTheMissingProgramWithItsInstallCommandAndInstallsNothing() throws Exception {
        Run run = run(Map.of(), "--check");

        assertThat(run.exit).as(run.out).isEqualTo(1);
        assertThat(run.out).contains("test: missing redis-server (looked for: redis-server): ")
                .containsPattern("(?m)^test: missing redis-server .*: (sudo )?apt-get install -y redis-server$")
                .contains("--check installs nothing")
                .doesNotContain("test: installing");
        assertThat(aptCalls).as("apt-get was not run").doesNotExist();
        assertThat(built).as("the build was not started").doesNotExist();
    }

    @Test
    void withoutInstallingTheBuildDoesNotStart() throws Exception {
        Run run = run(Map.of("SWITCHBOARD_TEST_NO_INSTALL", "1"), "-pl", "server");

        assertThat(run.exit).as(run.out).isEqualTo(1);
        assertThat(run.out).containsPattern("(?m)^test: missing redis-server .*: (sudo )?apt-get install -y redis-server$")
                .contains("SWITCHBOARD_TEST_NO_INSTALL is set")
                .contains("test: stopped before the build");
        assertThat(aptCalls).doesNotExist();
        assertThat(built).doesNotExist();
    }

    @Test
    void whenAptGetFailsTheScriptSaysSoAndDoesNotBuild() throws Exception {
        Run run = run(Map.of());

        assertThat(run.exit).as(run.out).isEqualTo(1);
        assertThat(run.out).contains("test: installing redis-server (for redis-server)")
                .contains("E: Unable to fetch some archives")
                .containsPattern("(?m)^test: missing redis-server .*: (sudo )?apt-get install -y redis-server$")
                .contains("not installed because apt-get failed");
        assertThat(aptCalls).as("apt-get was asked for the package").exists();
        assertThat(Files.readString(aptCalls)).contains("update").containsPattern("install -y -qq .*\\bredis-server\\b");
        assertThat(built).doesNotExist();
    }

    /** The links point outside the temporary directory, which JUnit warns about when it deletes them. */
    @AfterEach
    void removeLinks() throws IOException {
        try (var links = Files.list(bin)) {
            for (Path p : (Iterable<Path>) links::iterator) {
                Files.delete(p);
            }
        }
    }

    record Run(int exit, String out) {
    }

    Run run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", Tools.repositoryRoot().resolve("test").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("SWITCHBOARD_TEST_NO_INSTALL");
        pb.environment().putAll(Map.of("PATH", bin.toString(), "TMPDIR", tmp.toString(),
                "SWITCHBOARD_MVNW", tmp.resolve("mvnw").toString()));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("./test finished").isTrue();
        System.out.println("[./test " + String.join(" ", args) + "] exit " + p.exitValue() + "\n" + out);
        return new Run(p.exitValue(), out);
    }

    static void script(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        p.toFile().setExecutable(true);
    }
}
