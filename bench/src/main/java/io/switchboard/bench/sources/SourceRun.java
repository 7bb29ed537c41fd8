package io.switchboard.bench.sources;

import io.switchboard.testing.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One source on one engine: fill the backlog, start a node process on it (and, for the Redis engine, a
 * {@code redis-server} of the run's own), and read its {@code /metrics} every 100 ms until every row or record
 * has been published; the node's CPU time is read from {@code /proc} at the first and the last publication.
 */
final class SourceRun {

    private static final Duration PATIENCE = Duration.ofMinutes(10);

    /**
     * What one run measured: {@code total} publications the node made from the backlog, of which
     * {@code published} between its first and its last sample, in {@code seconds} and {@code cpuSeconds}.
     */
    record Result(String source, String engine, long total, long published, double seconds, double cpuSeconds, long deadLetters,
                  long errors) {

        double perSecond() {
            return published / seconds;
        }

        String line() {
            if (published == 0) {
                return source + " on " + engine + ": " + total + " publications, all before the first sample: too few to time (raise --rows)";
            }
            return String.format(Locale.ROOT, "%s on %s: %,d publications in %.2f s = %,.0f/s, node CPU %.1f ms per 1,000",
                    source, engine, published, seconds, perSecond(), cpuSeconds * 1e6 / published);
        }

        String row() {
            if (published == 0) {
                return "| " + source + " | " + engine + " | " + total + " | – | too few to time | – | " + deadLetters + " | " + errors + " |";
            }
            return String.format(Locale.ROOT, "| %s | %s | %,d | %.2f | %,.0f | %.1f | %d | %d |", source, engine, published, seconds,
                    perSecond(), cpuSeconds * 1e6 / published, deadLetters, errors);
        }
    }

    private final List<String> launcher;
    private final Path dir;
    private final String source;
    private final String engine;
    private final int rows;
    private final int channels;
    private final Backlog backlog;

    SourceRun(List<String> launcher, Path dir, String source, String engine, int rows, int channels, Backlog backlog) {
        this.launcher = launcher;
        this.dir = dir;
        this.source = source;
        this.engine = engine;
        this.rows = rows;
        this.channels = channels;
        this.backlog = backlog;
    }

    Result run() throws Exception {
        System.err.printf(Locale.ROOT, "sources: %s on %s: writing %,d rows or records...%n", source, engine, rows);
        backlog.fill(rows, channels);
        Path yaml = dir.resolve(source + "-" + engine + ".yaml");
        Files.writeString(yaml, backlog.yaml());
        Process redis = null;
        Process node = null;
        try {
            int port = freePort();
            List<String> cmd = SourcesMain.nodeCommand(launcher, port, "bench-sources-secret-0123456789abcdef");
            cmd.addAll(List.of("--config", yaml.toString()));
            if (engine.equals("redis")) {
                int redisPort = freePort();
                redis = new ProcessBuilder(Tools.path("redis-server"), "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no").redirectErrorStream(true)
                        .redirectOutput(dir.resolve("redis-" + source + ".log").toFile()).start();
                cmd.addAll(List.of("--engine", "redis", "--redis-url", "redis://127.0.0.1:" + redisPort));
            } else if (!engine.equals("memory")) {
                throw new IllegalArgumentException("unknown engine " + engine + " (memory or redis)");
            }
            node = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("node-" + source + "-" + engine + ".log").toFile()).start();
            return measure(node, port);
        } finally {
            stop(node);
            stop(redis);
        }
    }

    private Result measure(Process node, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        // The Prometheus endpoint (open on loopback) counts live; /api/stats is sampled once a second.
        HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long firstNanos = 0;
        long firstPublished = 0;
        double firstCpu = 0;
        while (System.nanoTime() < deadline) {
            if (!node.isAlive()) {
                throw new IllegalStateException("the node exited with " + node.exitValue() + "; see its log in " + dir);
            }
            String text = scrape(http, metrics);
            long now = System.nanoTime();
            if (text != null) {
                long published = sum(text, "switchboard_consumer_published_total{source=\"" + source + "\"}");
                long dead = sum(text, "switchboard_consumer_dead_letters_total{");
                if (firstNanos == 0 && published > 0) {
                    firstNanos = now;
                    firstPublished = published;
                    firstCpu = SourcesMain.cpu(node.pid());
                }
                if (published + dead >= rows) {
                    double cpu = SourcesMain.cpu(node.pid()) - firstCpu;
                    return new Result(source, engine, published, published - firstPublished, (now - firstNanos) / 1e9, cpu, dead,
                            sum(text, "switchboard_consumer_errors_total{source=\"" + source + "\"}"));
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the backlog was not published in " + PATIENCE + "; see the node's log in " + dir);
    }

    /** The Prometheus text, or null while the node does not answer yet. */
    private static String scrape(HttpClient http, HttpRequest metrics) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(metrics, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException notYet) {
            return null;
        }
    }

    /** The sum of the samples whose line starts with {@code prefix}. */
    static long sum(String prometheusText, String prefix) {
        long total = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(prefix)) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

}
