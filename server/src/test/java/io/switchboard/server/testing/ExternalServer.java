package io.switchboard.server.testing;

import io.switchboard.testing.Tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} or {@code nats-server} process of the test's own, on a free loopback port, with
 * its files in a temporary directory. The test talks to it, never to the machine's shared servers, so it
 * may flush it at will; fault tests {@link #kill()} it and {@link #launch()} it again on the same port
 * (a {@link #persistentRedis()} keeps what it acknowledged across the kill). Only this process is ever
 * signalled.
 */
public final class ExternalServer implements AutoCloseable {

    private final boolean redis;
    private final int port;
    private final Path dir;
    private final List<String> command;
    private Process process;

    private ExternalServer(boolean redis, int port, Path dir, List<String> command) {
        this.redis = redis;
        this.port = port;
        this.dir = dir;
        this.command = command;
    }

    /** A Redis without persistence: the tests that use it need no restart. */
    public static ExternalServer redis() throws Exception {
        return started(redisNotStarted(false));
    }

    /** A Redis with an append-only file synced on every write: a kill and {@link #launch()} lose nothing it acknowledged. */
    public static ExternalServer persistentRedis() throws Exception {
        return started(redisNotStarted(true));
    }

    /** A {@link #persistentRedis()} on a free port that {@link #launch()} starts later. */
    public static ExternalServer redisNotStarted() throws IOException {
        return redisNotStarted(true);
    }

    private static ExternalServer redisNotStarted(boolean persistent) throws IOException {
        int port = freePort();
        Path dir = Files.createTempDirectory("switchboard-redis");
        return new ExternalServer(true, port, dir, List.of(Tools.path("redis-server"), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", persistent ? "yes" : "no",
                "--appendfsync", "always"));
    }

    /** A Redis without persistence started with further arguments, e.g. {@code --cluster-enabled yes}. */
    public static ExternalServer redis(String... args) throws Exception {
        ExternalServer plain = redisNotStarted(false);
        List<String> command = new java.util.ArrayList<>(plain.command);
        command.addAll(List.of(args));
        return started(new ExternalServer(true, plain.port, plain.dir, command));
    }

    /**
     * A Redis Sentinel ({@code redis-server FILE --sentinel}) that monitors {@code primary} under the name
     * {@code master}, with a quorum of 2, finding a primary down after 1 s without an answer.
     */
    public static ExternalServer sentinel(ExternalServer primary, String master) throws Exception {
        int port = freePort();
        Path dir = Files.createTempDirectory("switchboard-sentinel");
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + dir,
                "sentinel monitor " + master + " 127.0.0.1 " + primary.port + " 2",
                "sentinel down-after-milliseconds " + master + " 1000",
                "sentinel failover-timeout " + master + " 5000",
                ""));
        return started(new ExternalServer(true, port, dir, List.of(Tools.path("redis-server"), conf.toString(), "--sentinel")));
    }

    public static ExternalServer nats() throws Exception {
        int port = freePort();
        Path dir = Files.createTempDirectory("switchboard-nats");
        return started(new ExternalServer(false, port, dir, List.of(Tools.path("nats-server"), "-a", "127.0.0.1",
                "-p", Integer.toString(port))));
    }

    private static ExternalServer started(ExternalServer s) throws Exception {
        try {
            s.launch();
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return s;
    }

    public int port() {
        return port;
    }

    public String url() {
        return (redis ? "redis://127.0.0.1:" : "nats://127.0.0.1:") + port;
    }

    /** Starts the process (again, after {@link #kill()}) and waits until it answers. */
    public void launch() throws Exception {
        Path log = dir.resolve("server.log");
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String why = process.isAlive() ? "did not answer in 20 s" : "exited with " + process.exitValue();
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " " + why + "; log:\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    /** SIGKILLs the process and waits until it is gone. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test's server process " + process.pid() + " did not exit");
            }
        }
    }

    /** Sends one inline Redis command and returns the first line of its answer, e.g. {@code +OK}. */
    public String redisCommand(String line) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[512];
            int n = s.getInputStream().read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII).trim();
        }
    }

    /**
     * Sends one Redis command (each argument a bulk string) and returns its whole answer as text: a bulk
     * string's content, an array's elements one per line (nested arrays flattened), and a status, error or
     * integer as its line with its type character ({@code +OK}, {@code -ERR …}, {@code :3}).
     */
    public String redisQuery(String... args) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
            var in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            StringBuilder out = new StringBuilder();
            readReply(in, out);
            return out.toString().strip();
        }
    }

    private static void readReply(java.io.DataInputStream in, StringBuilder out) throws IOException {
        String line = readLine(in);
        switch (line.charAt(0)) {
            case '$' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n >= 0) {
                    byte[] b = new byte[n + 2];
                    in.readFully(b);
                    out.append(new String(b, 0, n, StandardCharsets.UTF_8)).append('\n');
                }
            }
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                for (int i = 0; i < n; i++) {
                    readReply(in, out);
                }
            }
            default -> out.append(line).append('\n');
        }
    }

    private static String readLine(java.io.DataInputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("Redis closed the connection");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /** Redis answers PING; NATS greets with its INFO line. */
    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
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
            return got.startsWith(redis ? "+PONG" : "INFO");
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        kill();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
