package io.switchboard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Kafka broker in KRaft mode (broker and controller in one process), started in a JVM of its own
 * from the Kafka server jars on a given class path, on free loopback ports, with its log directory in a
 * temporary directory deleted on close. Tests and benchmarks use it instead of a container; only this
 * process is ever signalled.
 */
public final class KafkaProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Process process;

    private KafkaProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Formats a log directory and starts the broker; returns once its client port accepts connections
     * and its log says it started.
     *
     * @param classPath a class path holding {@code kafka.Kafka} and {@code kafka.tools.StorageTool}
     *                  (the {@code org.apache.kafka:kafka_2.13} artifact and its dependencies)
     */
    public static KafkaProcess start(String classPath) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("switchboard-kafka");
        int port = freePort();
        int controller = freePort();
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controller);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("data").toString());
        p.setProperty("num.partitions", "4");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "2");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "true");
        Path props = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(props)) {
            p.store(out, "switchboard test broker");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("broker.log");
        Process f = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", classPath, "kafka.tools.StorageTool", "format",
                "-t", clusterId(), "-c", props.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!f.waitFor(60, TimeUnit.SECONDS) || f.exitValue() != 0) {
            f.destroyForcibly();
            throw new IllegalStateException("formatting the Kafka log dir failed; log:\n" + Files.readString(log));
        }
        Process broker = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classPath, "kafka.Kafka", props.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        KafkaProcess k = new KafkaProcess(dir, port, broker);
        try {
            k.awaitStarted(log);
        } catch (IOException | RuntimeException | InterruptedException e) {
            k.close();
            throw e;
        }
        return k;
    }

    private void awaitStarted(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(accepts() && Files.readString(log).contains("Kafka Server started"))) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + "; log:\n" + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not start in 60 s; log:\n" + Files.readString(log));
            }
            Thread.sleep(100); // polling the broker's log and port while it starts
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The broker's process id (for reading its CPU time). */
    public long pid() {
        return process.pid();
    }

    /**
     * A random cluster id in Kafka's form (16 bytes, URL-safe Base64). One that starts with '-' is drawn
     * again: the storage tool's argument parser would read it as an option and refuse the format.
     */
    static String clusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Kills the broker and deletes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
