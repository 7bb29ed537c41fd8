package io.switchboard.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the image tar Jib wrote (target/jib-image.tar, Docker's load format) and checks what a container
 * runtime will read: the manifest, the configuration (entrypoint, user, port, environment), and that the
 * layers hold a runtime and the node. Then it starts the node from the unpacked layers, with the image's
 * own Java runtime, and asks it /readyz.
 */
class ImageTarIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void theTarHoldsARunnableNonRootNode() throws Exception {
        Path tar = Path.of(System.getProperty("image.tar", "target/jib-image.tar"));
        Map<String, byte[]> entries = new HashMap<>();
        Map<String, Integer> modes = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar)) {
            Tar.read(in, (name, mode, body) -> entries.put(name, body.readAllBytes()));
        }
        JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
        assertThat(manifest.get("RepoTags").get(0).asText()).startsWith("switchboard:");
        JsonNode config = JSON.readTree(entries.get(manifest.get("Config").asText())).get("config");
        assertThat(config.get("User").asText()).isEqualTo("65532:65532");
        assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
        List<String> entrypoint = strings(config.get("Entrypoint"));
        assertThat(entrypoint).startsWith("java").contains("io.switchboard.server.cli.Main");
        assertThat(strings(config.get("Cmd"))).containsExactly("serve");
        assertThat(strings(config.get("Env"))).contains("PATH=/opt/java/bin", "SWITCHBOARD_BIND=0.0.0.0");

        for (JsonNode layer : manifest.get("Layers")) {
            try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(entries.get(layer.asText())))) {
                Tar.read(gz, (name, mode, body) -> {
                    Path p = root.resolve(name.replaceFirst("^/", "")).normalize();
                    assertThat(p.startsWith(root)).as(name).isTrue();
                    modes.put(name.replaceFirst("^/", "").replaceFirst("/$", ""), mode);
                    if (name.endsWith("/")) {
                        Files.createDirectories(p);
                    } else {
                        Files.createDirectories(p.getParent());
                        Files.copy(body, p);
                        p.toFile().setExecutable((mode & 0100) != 0);
                    }
                });
            }
        }
        assertThat(modes.get("opt/java/bin/java") & 0111).as("java is executable").isNotZero();
        // (built on JDK 25 or newer, the runtime has compact object headers, and the archive made for them)
        String cds = Runtime.version().feature() >= 25 ? "classes_coh.jsa" : "classes.jsa";
        assertThat(root.resolve("opt/java/lib/server/" + cds)).as("the runtime's CDS archive").exists();
        assertThat(modes.get("tmp") & 0777).as("/tmp is writable by the node's user").isEqualTo(0777);
        assertThat(root.resolve("lib64/ld-linux-x86-64.so.2")).exists();
        assertThat(root.resolve("lib/x86_64-linux-gnu/libc.so.6")).exists();
        assertThat(Files.readString(root.resolve("etc/passwd"))).contains(":65532:65532:");
        String classpath = Files.readString(root.resolve("app/jib-classpath-file")).trim();
        assertThat(classpath).contains("switchboard-server-", "netty-codec-haproxy-");

        // The runtime's own default: freed native memory handed back every second, on JDKs that have the flag
        // (the image's runtime is the build's JDK, which runs this test).
        Runtime.Version v = Runtime.version();
        boolean trims = v.feature() >= 22 || (v.feature() == 21 && v.update() >= 1) || (v.feature() == 17 && v.update() >= 9);
        Process flags = new ProcessBuilder(root.resolve("opt/java/bin/java").toString(), "-XX:+PrintFlagsFinal", "-version")
                .redirectErrorStream(true).start();
        String finalFlags = new String(flags.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(flags.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (trims) {
            assertThat(finalFlags).containsPattern("TrimNativeHeapInterval\\s+= 1000\\b");
        } else {
            assertThat(finalFlags).doesNotContainPattern("TrimNativeHeapInterval\\s+= 1000\\b");
        }

        // Run it as the image would, from the unpacked layers (paths under the temporary root), with the
        // entrypoint's JVM flags.
        String local = java.util.Arrays.stream(classpath.split(":")).map(e -> root.resolve(e.substring(1)).toString())
                .collect(Collectors.joining(":"));
        List<String> command = new ArrayList<>(List.of(root.resolve("opt/java/bin/java").toString()));
        command.addAll(entrypoint.subList(1, entrypoint.indexOf("-cp")));
        // -Xshare:on: the JVM refuses to start unless it can map the runtime's CDS archive.
        command.addAll(List.of("-Xshare:on", "-cp", local, "io.switchboard.server.cli.Main", "serve", "--bind", "127.0.0.1",
                "--port", "0"));
        assertThat(command).contains("-XX:MaxRAMPercentage=75");
        Process node = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
                try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        output.append(line).append('\n');
                        Matcher m = listening.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    port.completeExceptionally(e);
                }
                port.completeExceptionally(new IllegalStateException("the node exited:\n" + output));
            });
            reader.setDaemon(true);
            reader.start();
            int p = port.get(60, TimeUnit.SECONDS);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + p + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        } finally {
            node.destroy();
            node.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A small reader of ustar archives, with the GNU long-name and PAX path extensions Jib may write. */
    static final class Tar {

        interface Entry {
            void accept(String name, int mode, InputStream body) throws IOException;
        }

        static void read(InputStream in, Entry each) throws IOException {
            byte[] header = new byte[512];
            String longName = null;
            while (in.readNBytes(header, 0, 512) == 512) {
                if (header[0] == 0) {
                    return;
                }
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                int mode = (int) octal(header, 100, 8);
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                byte[] body = in.readNBytes((int) size);
                in.readNBytes((int) ((512 - size % 512) % 512));
                if (type == 'L') {
                    longName = new String(body, StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                if (type == 'x') {
                    Matcher m = Pattern.compile("\\d+ path=([^\n]*)\n").matcher(new String(body, StandardCharsets.UTF_8));
                    longName = m.find() ? m.group(1) : longName;
                    continue;
                }
                if (longName != null) {
                    name = longName;
                    longName = null;
                }
                if (type == '5' && !name.endsWith("/")) {
                    name = name + "/";
                }
                if (type == '0' || type == '\0' || type == '5') {
                    each.accept(name, mode, new java.io.ByteArrayInputStream(body));
                }
            }
        }

        private static String text(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }

        private static long octal(byte[] b, int off, int len) {
            String s = text(b, off, len).trim();
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        }
    }
}
