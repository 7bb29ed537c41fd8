package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A separate Maven project (src/test/sample) that depends on the client by the coordinates written in
 * docs/client-java.md builds offline against the modules this build installed into
 * {@code target/staging-repo} (parent POM, execution "stage"), gets the client, the protocol module and
 * jackson-core and protobuf-java on its classpath and nothing else, and its program publishes and receives through a
 * real node. Wrong coordinates in the docs, a missing parent POM or an extra runtime dependency fail it.
 */
class InstalledArtifactIT {

    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final Path ROOT = MODULE.getParent();

    /** The first {@code ```xml} block of docs/client-java.md that names switchboard-client. */
    static String documentedDependency() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/client-java.md"));
        Matcher m = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            if (m.group(1).contains("<artifactId>switchboard-client</artifactId>")) {
                return m.group(1);
            }
        }
        throw new AssertionError("docs/client-java.md has no ```xml block with the switchboard-client dependency");
    }

    @Test
    void aSeparateProjectBuildsAgainstTheDocumentedCoordinatesAndRuns() throws Exception {
        Path staging = ROOT.resolve("target/staging-repo");
        assertThat(staging.resolve("io/switchboard/switchboard-client")).as("the build's staging repository").isDirectory();
        Path work = MODULE.resolve("target/sample-project");
        delete(work);
        Path sample = MODULE.resolve("src/test/sample");
        try (Stream<Path> files = Files.walk(sample)) {
            for (Path p : files.toList()) {
                Path to = work.resolve(sample.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        String pom = Files.readString(work.resolve("pom.xml.in"))
                .replace("<!-- DEPENDENCY FROM docs/client-java.md -->", documentedDependency());
        Files.writeString(work.resolve("pom.xml"), pom);

        String userRepo = System.getProperty("sb.userRepo");
        assertThat(userRepo).as("failsafe passes ${settings.localRepository} as sb.userRepo").isNotBlank();
        Path cpFile = work.resolve("classpath.txt");
        Run build = run(work, ROOT.resolve("mvnw").toString(), "-B", "-q", "-o", "-f", work.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + work.resolve("repo"),
                // the staging repository first, then this machine's cache for the third-party jars (read-only)
                "-Dmaven.repo.local.tail=" + staging + "," + userRepo,
                "package", "dependency:build-classpath", "-Dmdep.outputFile=" + cpFile);
        assertThat(build.exit).as(build.output).isZero();

        List<String> classpath = Arrays.asList(Files.readString(cpFile).trim().split(File.pathSeparator));
        assertThat(classpath.stream().map(p -> Path.of(p).getFileName().toString().replaceFirst("-\\d.*$", "")))
                .as("the client's runtime classpath: no transitive surprises")
                .containsExactlyInAnyOrder("switchboard-client", "switchboard-protocol", "jackson-core", "protobuf-java");
        assertThat(classpath).filteredOn(p -> p.contains("switchboard-client")).singleElement()
                .satisfies(p -> assertThat(Path.of(p)).startsWith(staging));

        try (ServerProcess server = ServerProcess.start()) {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Run program = run(work, javaBin, "-cp", work.resolve("target/classes") + File.pathSeparator + String.join(
                    File.pathSeparator, classpath), "sample.Sample", server.url(), ServerProcess.token("sample"));
            assertThat(program.exit).as(program.output).isZero();
            assertThat(program.output).contains("received: hello from the sample");
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path dir, String... command) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command) + "\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
