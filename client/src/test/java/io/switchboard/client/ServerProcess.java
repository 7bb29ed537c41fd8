package io.switchboard.client;

import io.switchboard.server.auth.TokenMinter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Switchboard node in its own JVM, on a free loopback port, started from the test classpath
 * ({@code java -cp ... io.switchboard.server.cli.Main serve}). Tests may SIGKILL it and start it again on
 * the same port, or SIGSTOP/SIGCONT it. Only this process is ever signalled.
 */
final class ServerProcess implements AutoCloseable {

    static final String SECRET = "client-it-secret-client-it-secret-42";
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int port;
    private final List<String> extraArgs;
    private final Path log;
    private Process process;
    private boolean paused;
    private boolean readyMeansAnswering;

    private ServerProcess(int port, List<String> extraArgs) throws IOException {
        this.port = port;
        this.extraArgs = extraArgs;
        this.log = Files.createTempFile("switchboard-client-it", ".log");
    }

    /** Starts a node like {@link #start} but waits only until /readyz answers at all (its engine may be down). */
    static ServerProcess startAnswering(String... extraArgs) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ServerProcess p = new ServerProcess(port, List.of(extraArgs));
        p.readyMeansAnswering = true;
        p.launch();
        return p;
    }

    /** Starts a node with {@code --jwt-secret SECRET} plus {@code extraArgs}, and waits until /readyz says ready. */
    static ServerProcess start(String... extraArgs) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ServerProcess p = new ServerProcess(port, List.of(extraArgs));
        p.launch();
        return p;
    }

    /** A YAML config file with the given text, deleted when the JVM exits. */
    static String configFile(String yaml) throws IOException {
        Path f = Files.createTempFile("switchboard-client-it", ".yaml");
        Files.writeString(f, yaml);
        f.toFile().deleteOnExit();
        return f.toString();
    }

    String url() {
        return "ws://127.0.0.1:" + port + "/ws";
    }

    static String token(String user) {
        return MINTER.mint(user, Duration.ofHours(1));
    }

    long pid() {
        return process.pid();
    }

    /** Starts the node (again, after {@link #kill()}) on the same port and waits for it to be ready. */
    void launch() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.switchboard.server.cli.Main", "serve",
                "--port", Integer.toString(port), "--jwt-secret", SECRET, "--io-threads", "2",
                // These tests flood and reconnect on purpose; the limits have their own tests in the server.
                "--commands-per-second", "0", "--new-connections-per-second-per-ip", "0"));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; log:\n" + log());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200 || readyMeansAnswering) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not become ready in 60 s; log:\n" + log());
            }
            Thread.sleep(50);
        }
    }

    /** SIGKILL: the node vanishes without closing anything, as in a crash. */
    void kill() throws InterruptedException {
        resume();
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not die");
        }
    }

    /** SIGSTOP: the node stays connected but goes silent. */
    void pause() throws Exception {
        signal("-STOP");
        paused = true;
    }

    /** SIGCONT. */
    void resume() throws InterruptedException {
        if (paused) {
            try {
                signal("-CONT");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            paused = false;
        }
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + sig + " " + process.pid() + " failed");
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
