package io.switchboard.client;

import io.switchboard.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} or {@code nats-server} on a free loopback port, started by the test so that
 * it can be SIGKILLed and started again on the same port (Redis with the same data directory and an
 * append-only file synced on every write, so what it acknowledged survives the kill). Only this process
 * is ever signalled.
 */
final class ExternalServer implements AutoCloseable {

    final int port;
    private final List<String> command;
    private final Path dir;
    private final Path log;
    private final boolean redis;
    private Process process;

    private ExternalServer(boolean redis, int port, Path dir, List<String> command) throws IOException {
        this.redis = redis;
        this.port = port;
        this.dir = dir;
        this.command = command;
        this.log = dir.resolve("server.log");
    }

    static ExternalServer redis() throws Exception {
        ExternalServer s = redisNotStarted();
        s.launch();
        return s;
    }

    /** A Redis on a free port that {@link #launch()} starts later. */
    static ExternalServer redisNotStarted() throws Exception {
        int port = freePort();
        Path dir = Files.createTempDirectory("switchboard-redis");
        ExternalServer s = new ExternalServer(true, port, dir, List.of(Tools.path("redis-server"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "yes",
                "--appendfsync", "always"));
        return s;
    }

    static ExternalServer nats() throws Exception {
        int port = freePort();
        Path dir = Files.createTempDirectory("switchboard-nats");
        ExternalServer s = new ExternalServer(false, port, dir, List.of(Tools.path("nats-server"), "-a", "127.0.0.1",
                "-p", Integer.toString(port)));
        s.launch();
        return s;
    }

    String url() {
        return (redis ? "redis://127.0.0.1:" : "nats://127.0.0.1:") + port;
    }

    /** Starts the server (again, after {@link #kill()}) and waits until it answers. */
    void launch() throws Exception {
        process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(command.get(0) + " exited with " + process.exitValue() + "; log:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(command.get(0) + " did not answer in 20 s; log:\n" + log());
            }
            Thread.sleep(20);
        }
    }

    /** Redis: PING is answered (the append-only file is loaded by then). NATS: the INFO line arrives. */
    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (redis) {
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] buf = new byte[64];
            int n = in.read(buf);
            String got = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
            return redis ? got.startsWith("+PONG") : got.startsWith("INFO");
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Sends one inline command (Redis) and returns the first line of the answer. */
    String redisCommand(String line) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(2000);
            s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[256];
            int n = s.getInputStream().read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII).trim();
        }
    }

    /** SIGKILL, as in a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException(command.get(0) + " did not die");
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            kill();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
