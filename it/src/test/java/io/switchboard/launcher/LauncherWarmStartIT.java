package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./switchboard} launcher's warm start: the first {@code serve} after a build records an
 * archive (AppCDS before JDK 25, the AOT cache from 25) next to the jar, one per JDK and set of JVM options,
 * later runs with the same options load the node's own classes from it, and an option that turns sharing off
 * or {@code SWITCHBOARD_WARM_START=off} switches it off; and the JVM options it gives a node unless
 * {@code SWITCHBOARD_JAVA_OPTS} replaces them. Runs the launcher of this checkout on the JDK running the test
 * (JAVA_HOME), and on a JDK 25 for what is particular to it, against the jar the build made.
 */
class LauncherWarmStartIT {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path TARGET = ROOT.resolve("server/target");
    /** A class of the node's own, as -Xlog:class+load reports it when it comes from an archive. */
    private static final String MAIN_FROM_ARCHIVE = "io.switchboard.server.cli.Main source: shared objects file";

    private record Run(int exit, String output) {
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static ProcessBuilder launcher(Map<String, String> env, Path log, String... args) {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(ROOT.resolve("switchboard").toString()), Stream.of(args)).toList())
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
        pb.environment().putAll(env);
        return pb;
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        Path log = Files.createTempFile("launcher", ".log");
        Process p = launcher(env, log, args).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("launcher %s finished", List.of(args)).isTrue();
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static List<Path> archives() throws IOException {
        return archives(Path.of(System.getProperty("java.home")));
    }

    /** The launcher's archives (and failure markers) for the JDK at {@code javaHome}. */
    private static List<Path> archives(Path javaHome) throws IOException {
        try (Stream<Path> files = Files.list(TARGET)) {
            String home = javaHome.toRealPath().getFileName().toString();
            return files.filter(f -> f.getFileName().toString().startsWith("switchboard." + home + "-"))
                    .filter(f -> f.toString().endsWith(".jsa") || f.toString().endsWith(".aot") || f.toString().endsWith(".failed"))
                    .toList();
        }
    }

    /**
     * Serves on {@code port} with the archive, opens one WebSocket session (a demo token, the welcome, a
     * close) and stops the node; returns what -Xlog:class+load reported.
     */
    private static String sessionClasses(int port) throws Exception {
        Path log = Files.createTempFile("launcher-session", ".log");
        // JAVA_TOOL_OPTIONS adds to the launcher's options: an archive is kept per set of options, and these are
        // the ones it was recorded with.
        Process node = launcher(env("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"), log, "serve", "--port", String.valueOf(port)).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest tokenRequest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/demo/token?user=launcher-it")).build();
            String[] body = new String[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        assertThat(node.isAlive()).as("the launcher is running").isTrue();
                        HttpResponse<String> r = http.send(tokenRequest, HttpResponse.BodyHandlers.ofString());
                        body[0] = r.body();
                        return r.statusCode() == 200;
                    });
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(body[0]);
            assertThat(m.find()).as(body[0]).isTrue();
            java.util.concurrent.CompletableFuture<String> welcome = new java.util.concurrent.CompletableFuture<>();
            java.net.http.WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?access_token=" + m.group(1)), new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            welcome.complete(data.toString());
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            assertThat(welcome.get(10, TimeUnit.SECONDS)).contains("\"type\":\"welcome\"");
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            // the node loads the closing handshake when the client's close arrives
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("session.ClosingHandshake source:"));
        } finally {
            node.destroy();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Runs {@code ./switchboard serve} on {@code port} until {@code /readyz} answers 200 (the first serve after
     * a build records the archive before the node starts: that run is allowed for), then stops it with SIGTERM;
     * checks that it exited 0 and returns what the launcher and the node printed.
     */
    private static String serveUntilReady(Map<String, String> env, int port) throws Exception {
        Path log = Files.createTempFile("launcher-serve", ".log");
        return readyThenStopped(launcher(env, log, "serve", "--port", String.valueOf(port)).start(), port, log);
    }

    /** Waits for the launcher {@code node} (serving on {@code port}, printing to {@code log}) as {@link #serveUntilReady} does. */
    private static String readyThenStopped(Process node, int port, Path log) throws Exception {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        assertThat(node.isAlive()).as("the launcher is running").isTrue();
                        return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } finally {
            node.destroy(); // SIGTERM: the node drains and exits 0
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(node.exitValue()).as(Files.readString(log)).isZero();
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Test
    void theFirstServeRecordsAnArchiveThatLaterRunsUseUnlessTurnedOff() throws Exception {
        assertThat(TARGET.resolve("switchboard.jar")).as("the build's jar").exists();
        for (Path old : archives()) {
            Files.delete(old);
        }
        // Two nodes started together: one launcher records the archive, the other waits for it and maps it.
        int port = freePort();
        int other = freePort();
        Path log = Files.createTempFile("launcher-serve", ".log");
        Path otherLog = Files.createTempFile("launcher-serve", ".log");
        Map<String, String> logged = env("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"); // not part of the archive's key
        Process first = launcher(logged, log, "serve", "--port", String.valueOf(port)).start();
        Process second = launcher(logged, otherLog, "serve", "--port", String.valueOf(other)).start();
        String served = readyThenStopped(first, port, log);
        String otherServed = readyThenStopped(second, other, otherLog);
        String recorder = served.contains("recording the warm-start archive") ? served : otherServed;
        String waiter = recorder == served ? otherServed : served;
        assertThat(recorder).contains("switchboard: recording the warm-start archive for Java")
                // serve's default warm-up, before the node starts
                .contains("warming up: 3000 sessions on a throwaway loopback node");
        assertThat(waiter).as("the other launcher").doesNotContain("recording the warm-start archive")
                .contains(MAIN_FROM_ARCHIVE);
        assertThat(archives()).as("one archive for this JDK, no failure marker").singleElement()
                .satisfies(a -> assertThat(a.toString()).doesNotEndWith(".failed"));

        Run warm = run(env("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"), "version");
        assertThat(warm.exit()).as(warm.output()).isZero();
        assertThat(warm.output()).contains(MAIN_FROM_ARCHIVE).doesNotContain("recording the warm-start archive");

        // The training run held WebSocket sessions: a connection's path comes from the archive too.
        String session = sessionClasses(port);
        assertThat(session).contains("io.switchboard.server.session.Session source: shared objects file",
                "io.switchboard.server.session.ClosingHandshake source: shared objects file",
                "io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder source: shared objects file");

        Run overridden = run(env("SWITCHBOARD_JAVA_OPTS", "-Xshare:off -Xlog:class+load=info"), "version");
        assertThat(overridden.exit()).as(overridden.output()).isZero();
        assertThat(overridden.output()).contains("io.switchboard.server.cli.Main source: ").doesNotContain("shared objects file");

        Run off = run(env("SWITCHBOARD_WARM_START", "off", "JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"), "version");
        assertThat(off.exit()).as(off.output()).isZero();
        assertThat(off.output()).contains("io.switchboard.server.cli.Main source: ").doesNotContain(MAIN_FROM_ARCHIVE);

        // Options that turn sharing off: no training run for them (it could record nothing).
        List<Path> before = archives();
        String unshared = serveUntilReady(env("SWITCHBOARD_JAVA_OPTS", "-XX:+UseParallelGC -Xshare:off"), freePort());
        assertThat(unshared).doesNotContain("recording the warm-start archive", "no warm-start archive");
        assertThat(archives()).containsExactlyInAnyOrderElementsOf(before);
    }

    /** Whether this JDK has -XX:TrimNativeHeapInterval (17.0.9+, 21.0.1+, 22+), as the launcher judges it. */
    private static boolean trimsNativeHeap() {
        Runtime.Version v = Runtime.version();
        return v.feature() >= 22 || (v.feature() == 21 && v.update() >= 1) || (v.feature() == 17 && v.update() >= 9);
    }

    @Test
    void theDefaultJvmOptionsGiveFreedNativeMemoryBackAndSwitchboardJavaOptsReplacesThemAll() throws Exception {
        // JAVA_TOOL_OPTIONS adds to the command line without replacing the launcher's options: the JVM prints them.
        Run defaults = run(env("JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags", "SWITCHBOARD_WARM_START", "off"), "version");
        assertThat(defaults.exit()).as(defaults.output()).isZero();
        assertThat(defaults.output()).contains("-XX:+UseParallelGC", "-XX:MetaspaceSize=67108864");
        if (trimsNativeHeap()) {
            assertThat(defaults.output()).contains("-XX:TrimNativeHeapInterval=1000");
        } else {
            assertThat(defaults.output()).doesNotContain("TrimNativeHeapInterval");
        }

        Run replaced = run(env("JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags", "SWITCHBOARD_WARM_START", "off",
                "SWITCHBOARD_JAVA_OPTS", "-XX:+UseSerialGC"), "version");
        assertThat(replaced.exit()).as(replaced.output()).isZero();
        assertThat(replaced.output()).contains("-XX:+UseSerialGC").doesNotContain("TrimNativeHeapInterval")
                .doesNotContain("UseParallelGC");
        if (Runtime.version().feature() < 25) {
            assertThat(defaults.output()).doesNotContain("UseCompactObjectHeaders");
        }
    }

    /** A JDK of release 25 or newer: the one running the test, else the machine's ({@code java25} in .ci/tools.txt). */
    private static Path jdk25() {
        if (Runtime.version().feature() >= 25) {
            return Path.of(System.getProperty("java.home"));
        }
        return Path.of(io.switchboard.testing.Tools.path("java25")).getParent().getParent();
    }

    @Test
    void onJdk25OrNewerTheDefaultsTurnOnCompactObjectHeadersAndSwitchboardJavaOptsReplacesThat() throws Exception {
        String home = jdk25().toString();
        Run defaults = run(env("JAVA_HOME", home, "JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags",
                "SWITCHBOARD_WARM_START", "off"), "version");
        assertThat(defaults.exit()).as(defaults.output()).isZero();
        assertThat(defaults.output()).contains("-XX:+UseCompactObjectHeaders", "-XX:+UseParallelGC",
                "-XX:TrimNativeHeapInterval=1000");

        Run replaced = run(env("JAVA_HOME", home, "JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags",
                "SWITCHBOARD_WARM_START", "off", "SWITCHBOARD_JAVA_OPTS", "-XX:+UseSerialGC"), "version");
        assertThat(replaced.exit()).as(replaced.output()).isZero();
        assertThat(replaced.output()).contains("-XX:+UseSerialGC").doesNotContain("UseCompactObjectHeaders");
    }

    @Test
    void onJdk25TheFirstServeRecordsAnAotCacheWithTheDefaultsAndLaterRunsMapIt() throws Exception {
        Path home = jdk25();
        for (Path old : archives(home)) {
            Files.delete(old);
        }
        String served = serveUntilReady(env("JAVA_HOME", home.toString()), freePort());
        assertThat(served).contains("switchboard: recording the warm-start archive for Java 25");
        assertThat(archives(home)).as("one AOT cache for this JDK, no failure marker").singleElement()
                .satisfies(a -> assertThat(a.toString()).endsWith(".aot"));

        // JAVA_TOOL_OPTIONS adds to the launcher's options (compact headers among them, which the cache was
        // recorded with and must be used with) instead of replacing them.
        Run warm = run(env("JAVA_HOME", home.toString(), "JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"), "version");
        assertThat(warm.exit()).as(warm.output()).isZero();
        assertThat(warm.output()).contains(MAIN_FROM_ARCHIVE).doesNotContain("recording the warm-start archive");

        // Other options (here without compact headers) are another archive's: this one is not offered to the
        // JVM, which would refuse it with errors, and there is none of theirs until a serve records it.
        Run other = run(env("JAVA_HOME", home.toString(), "SWITCHBOARD_JAVA_OPTS", "-Xmx256m -Xlog:class+load=info"), "version");
        assertThat(other.exit()).as(other.output()).isZero();
        assertThat(other.output()).doesNotContain("AOT cache", "[error", MAIN_FROM_ARCHIVE)
                .contains("io.switchboard.server.cli.Main source: ");
        // So are options the JVM takes from the environment, which may override the launcher's.
        Run overriding = run(env("JAVA_HOME", home.toString(), "_JAVA_OPTIONS", "-XX:-UseCompactObjectHeaders"), "version");
        assertThat(overriding.exit()).as(overriding.output()).isZero();
        assertThat(overriding.output()).contains("switchboard ").doesNotContain("AOT cache", "[error");
    }
}
