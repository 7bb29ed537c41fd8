package io.switchboard.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server process started for one scenario, on a free loopback port, killed (by its PID) afterwards. */
final class ServerUnderTest implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    final Target target;
    final int port;
    private final Process process;
    /** System.nanoTime when the process was started, and when /readyz first answered 200 (polled every 50 ms). */
    final long launchedNanos;
    final long readyNanos;
    /** The process's CPU seconds when it was found ready (the launcher's shell before its exec included). */
    final double cpuAtReady;
    private final Path log;

    private ServerUnderTest(Target target, int port, Process process, long launchedNanos, long readyNanos, Path log) {
        this.target = target;
        this.port = port;
        this.process = process;
        this.launchedNanos = launchedNanos;
        this.readyNanos = readyNanos;
        this.cpuAtReady = ProcStats.cpuSeconds(process.pid());
        this.log = log;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code command} (whose last arguments are completed with the port and secret by the
     * launcher) and waits until GET /readyz answers 200.
     */
    static ServerUnderTest start(Target target, List<String> command, int port, Path log) throws Exception {
        return start(target, command, java.util.Map.of(), port, log);
    }

    /** As {@link #start(Target, List, int, Path)}, with {@code env} added to the process's environment. */
    static ServerUnderTest start(Target target, List<String> command, java.util.Map<String, String> env, int port, Path log)
            throws Exception {
        long launched = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException(target.label() + " exited with " + p.exitValue() + "; see " + log);
            }
            try {
                int status = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return new ServerUnderTest(target, port, p, launched, System.nanoTime(), log);
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(target.label() + " did not become ready in 120 s; see " + log);
            }
            Thread.sleep(50);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    double cpuSeconds() {
        return ProcStats.cpuSeconds(pid());
    }

    /** Seconds from the process's start to {@code nanoTime}. */
    double sinceLaunch(long nanoTime) {
        return (nanoTime - launchedNanos) / 1e9;
    }

    /** Whether the ./switchboard launcher recorded its warm-start archive before this node started (once per build). */
    boolean recordedWarmStart() {
        try {
            return java.nio.file.Files.readString(log).contains("recording the warm-start archive");
        } catch (IOException e) {
            return false;
        }
    }

    double systemCpuSeconds() {
        return ProcStats.systemCpuSeconds(pid());
    }

    long residentBytes() {
        return ProcStats.residentBytes(pid());
    }

    @Override
    public void close() throws InterruptedException {
        // SIGTERM first, so a JVM started with -XX:StartFlightRecording writes its recording; then SIGKILL.
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
