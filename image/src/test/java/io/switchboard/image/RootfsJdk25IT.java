package io.switchboard.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's runtime when the build's JDK is 25 or newer (the build here runs on 17, which {@link ImageTarIT}
 * checks): {@code rootfs.sh} run with the machine's JDK 25 gives the runtime compact object headers as well as
 * the native-memory trimming, and keeps the CDS archive that matches them, which the JVM must be able to map.
 */
class RootfsJdk25IT {

    @TempDir
    Path out;

    @Test
    void aJdk25RuntimeCarriesCompactObjectHeadersAndTheirCdsArchive() throws Exception {
        Path jdk = Path.of(Tools.path("java25")).getParent().getParent();
        Path script = Path.of(System.getProperty("user.dir"), "rootfs.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), out.resolve("root").toString())
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.toString());
        Process build = pb.start();
        String log = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(180, TimeUnit.SECONDS)).as("rootfs.sh finished").isTrue();
        assertThat(build.exitValue()).as(log).isZero();

        Path server = out.resolve("root/opt/java/lib/server");
        assertThat(server.resolve("classes_coh.jsa")).as("the CDS archive for compact headers").exists();
        assertThat(server.resolve("classes_nocoops_coh.jsa")).as("the one for heaps over 32 GB is left out").doesNotExist();

        // -Xshare:on: the JVM refuses to start unless it can map the runtime's archive with its own options.
        Process flags = new ProcessBuilder(out.resolve("root/opt/java/bin/java").toString(), "-Xshare:on",
                "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true).start();
        String finalFlags = new String(flags.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(flags.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(flags.exitValue()).as(finalFlags).isZero();
        assertThat(finalFlags).containsPattern("UseCompactObjectHeaders\\s+= true\\b")
                .containsPattern("TrimNativeHeapInterval\\s+= 1000\\b");
        assertThat(Files.readString(out.resolve("root/etc/passwd"))).contains(":65532:65532:");
    }
}
