package io.switchboard.bench.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The run's own {@code redis-server} (append-only file fsynced on every write, in the run's temporary
 * directory, so that what it acknowledged survives a SIGKILL) or {@code nats-server} (core NATS, which is
 * all {@code --broker nats} uses), on a free loopback port. Killed with SIGKILL and started again on the
 * same port and data. Only this process is ever signalled.
 */
final class Backend implements AutoCloseable {

    final String name;
    final int port;
    private final boolean redis;
    private final List<String> command;
    private final Path log;
    private Process process;

    private Backend(String name, boolean redis, int port, List<String> command, Path log) {
        this.name = name;
        this.redis = redis;
        this.port = port;
        this.command = command;
        this.log = log;
    }

    static Backend redis(Path dataDir, Path log) throws IOException {
        int port = Nodes.freePort();
        return new Backend("redis", true, port, List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dataDir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always"), log);
    }

    static Backend nats(Path log) throws IOException {
        int port = Nodes.freePort();
        String exe = java.nio.file.Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server" : "nats-server";
        return new Backend("nats", false, port, List.of(exe, "-a", "127.0.0.1", "-p", Integer.toString(port)), log);
    }

    String url() {
        return (redis ? "redis://127.0.0.1:" : "nats://127.0.0.1:") + port;
    }

    /** Starts the server and waits until it answers (Redis: PING, once the append-only file is loaded). */
    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not answer in 30 s; see " + log);
            }
            Thread.sleep(20);
        }
    }

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

    /** SIGKILL, as in a crash. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not die");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
