package io.switchboard.bench;

import io.switchboard.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code bench/compare --scale}: many connections on one machine. N Switchboard node processes share one
 * Redis of the run's own; one generator process per node opens its share of the connections (from
 * loopback source addresses 127.0.0.2 and up, 2,000 per address), every connection subscribed to the one
 * channel all of them follow. Then: the nodes' memory per connection, the cost of idle heartbeats (the
 * machine's and each kind of process's CPU over an idle window), and a slow fan-out (one publication a
 * second from a publisher on the first node reaching every connection on every node), with the time
 * from publish to each delivery and Redis's load. A process may hold 20,000 files here, so one node and
 * one generator carry at most about 18,000 connections.
 */
final class Scale {

    /** What {@code --scale} takes. */
    static final class Options {
        int nodes = 6;
        int perNode = 17_000;
        double idleSeconds = 30;
        double idleAfterSeconds = 5; // from the last connection to the idle window
        double rate = 0.2;
        double warmupSeconds = 3;
        double measureSeconds = 30;
        double drainSeconds = 15;
    }

    private final Options o;
    private final Compare.Launcher launcher;
    private final List<String> redisCommand;
    private final Path out;
    private final StringBuilder md = new StringBuilder();

    Scale(Options o, Compare.Launcher launcher, Path out) {
        this.o = o;
        this.launcher = launcher;
        this.out = out;
        this.redisCommand = List.of(Tools.path("redis-server"));
    }

    private static void say(String s) {
        System.err.println("scale: " + s);
    }

    /** Runs it and writes {@code scale.md}; returns the report. */
    String run() throws Exception {
        Files.createDirectories(out.resolve("logs"));
        int redisPort = ServerUnderTest.freePort();
        Process redis = new ProcessBuilder(redisCommand.get(0), "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(out.resolve("logs/redis.log").toFile()).start();
        List<ServerUnderTest> nodes = new ArrayList<>();
        List<WorkerHandle> workers = new ArrayList<>();
        try {
            awaitRedis(redisPort);
            for (int i = 0; i < o.nodes; i++) {
                int port = ServerUnderTest.freePort();
                List<String> cmd = new ArrayList<>(launcher.serverCommand(Target.SWITCHBOARD, port, Compare.SECRET));
                cmd.addAll(List.of("--engine", "redis", "--redis-url", "redis://127.0.0.1:" + redisPort, "--node-name", "scale-" + i));
                // Memory per connection is measured here as in idle, so the nodes start as idle's do (no warm-up).
                nodes.add(ServerUnderTest.start(Target.SWITCHBOARD, cmd, Compare.serverEnvironment(Target.SWITCHBOARD, Scenario.IDLE,
                        System.getenv()), port, out.resolve("logs/node-" + i + ".log")));
            }
            long[] rssBefore = nodes.stream().mapToLong(ServerUnderTest::residentBytes).toArray();
            say(String.format(Locale.ROOT, "%d nodes ready on one Redis; opening %,d connections", o.nodes, (long) o.nodes * o.perNode));
            long t0 = System.nanoTime();
            for (int i = 0; i < o.nodes; i++) {
                WorkerSpec spec = WorkerSpec.of(Scenario.FANOUT, Target.SWITCHBOARD, nodes.get(i).port(), Compare.SECRET);
                spec.conns = o.perNode;
                spec.connOffset = i * o.perNode;
                spec.publisher = i == 0;
                spec.publishRate = o.rate;
                spec.openTimeoutSeconds = 600;
                spec.concurrency = 100;
                workers.add(launcher.worker(spec, out.resolve("logs/generator-" + i + ".log")));
            }
            int connected = 0;
            int failed = 0;
            for (WorkerHandle h : workers) {
                String[] ready = h.await("READY", 700_000L).split(" ");
                connected += Integer.parseInt(ready[1]);
                failed += Integer.parseInt(ready[2]);
            }
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            say(String.format(Locale.ROOT, "%,d subscribed (%d failed) in %.0f s; idle for %.0f s", connected, failed, openSeconds, o.idleSeconds));

            // Idle: only heartbeats move. Wait first so that the connect storm's garbage is behind.
            Thread.sleep((long) (o.idleAfterSeconds * 1000));
            double[] nodeCpu0 = nodes.stream().mapToDouble(ServerUnderTest::cpuSeconds).toArray();
            double redisCpu0 = ProcStats.cpuSeconds(redis.pid());
            double[] machine0 = ProcStats.machineCpuSeconds();
            Thread.sleep((long) (o.idleSeconds * 1000));
            double[] machine1 = ProcStats.machineCpuSeconds();
            double idleNodes = 0;
            for (int i = 0; i < nodes.size(); i++) {
                idleNodes += nodes.get(i).cpuSeconds() - nodeCpu0[i];
            }
            double idleRedis = ProcStats.cpuSeconds(redis.pid()) - redisCpu0;
            double machineSeconds = machine1[1] - machine0[1];
            long[] rssAfter = nodes.stream().mapToLong(ServerUnderTest::residentBytes).toArray();
            long[] heap = new long[nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                heap[i] = JvmHeap.usedAfterGc(nodes.get(i).pid());
            }

            // The slow fan-out.
            String infoBefore = redisInfo(redisPort);
            double[] cpu0 = nodes.stream().mapToDouble(ServerUnderTest::cpuSeconds).toArray();
            redisCpu0 = ProcStats.cpuSeconds(redis.pid());
            long start = System.nanoTime() + 300_000_000L;
            long warmupEnd = start + (long) (o.warmupSeconds * 1e9);
            long end = warmupEnd + (long) (o.measureSeconds * 1e9);
            long drainEnd = end + (long) (o.drainSeconds * 1e9);
            for (WorkerHandle h : workers) {
                h.send("GO " + start + " " + warmupEnd + " " + end + " " + drainEnd);
            }
            say(String.format(Locale.ROOT, "fan-out: %.1f publication(s) a second to all, %.0f s measured", o.rate, o.measureSeconds));
            List<WorkerResult> results = new ArrayList<>();
            for (WorkerHandle h : workers) {
                String line = h.await("RESULT ", (long) ((o.warmupSeconds + o.measureSeconds + o.drainSeconds) * 1000) + 120_000);
                results.add(Json.read(line.substring("RESULT ".length()), WorkerResult.class));
            }
            double fanNodes = 0;
            for (int i = 0; i < nodes.size(); i++) {
                fanNodes += nodes.get(i).cpuSeconds() - cpu0[i];
            }
            double fanRedis = ProcStats.cpuSeconds(redis.pid()) - redisCpu0;
            String infoAfter = redisInfo(redisPort);
            long published = results.stream().mapToLong(r -> r.published).sum();
            long received = results.stream().mapToLong(r -> r.received).sum();
            Histogram h = Accounting.merge(results.stream().map(r -> r.latency).toList());

            long rssGrowth = 0;
            long heapTotal = 0;
            for (int i = 0; i < nodes.size(); i++) {
                rssGrowth += rssAfter[i] - rssBefore[i];
                heapTotal += heap[i];
            }
            md.append("# Scale: ").append(String.format(Locale.ROOT, "%,d connections on %d nodes sharing one Redis%n%n", connected, o.nodes));
            md.append(String.format(Locale.ROOT, "Connections: %,d subscribed, %d failed, opened in %.0f s (%,.0f per second, every process on "
                    + "the same 2 cores).%n%n", connected, failed, openSeconds, connected / openSeconds));
            md.append("| figure | value |\n|---|---:|\n");
            md.append(String.format(Locale.ROOT, "| node RSS before connections (each, mean) | %.1f MiB |%n", mean(rssBefore) / 1048576.0));
            md.append(String.format(Locale.ROOT, "| node RSS with its connections (each, mean) | %.1f MiB |%n", mean(rssAfter) / 1048576.0));
            md.append(String.format(Locale.ROOT, "| RSS growth per connection | %.2f KiB |%n", rssGrowth / 1024.0 / Math.max(1, connected)));
            md.append(String.format(Locale.ROOT, "| node heap after GC per connection (whole heap / connections) | %.2f KiB |%n",
                    heapTotal / 1024.0 / Math.max(1, connected)));
            md.append(String.format(Locale.ROOT, "| idle: nodes' CPU, %% of the machine (%.0f s window, from %.0f s after the last connection) | %.2f %% |%n", o.idleSeconds, o.idleAfterSeconds,
                    100 * idleNodes / machineSeconds));
            md.append(String.format(Locale.ROOT, "| idle: Redis's CPU, %% of the machine | %.2f %% |%n", 100 * idleRedis / machineSeconds));
            md.append(String.format(Locale.ROOT, "| idle: machine busy (generators answering pings included) | %.1f %% |%n",
                    100 * (machine1[0] - machine0[0]) / machineSeconds));
            md.append(String.format(Locale.ROOT, "| fan-out: publications (%.1f a second) / deliveries expected / received within %.0f s | "
                    + "%d / %,d / %,d |%n", o.rate, o.drainSeconds, published, published * connected, received));
            md.append(String.format(Locale.ROOT, "| fan-out: publish to delivery p50 / p99 / max | %.1f / %.1f / %.1f ms |%n",
                    Accounting.percentileMs(h, 50), Accounting.percentileMs(h, 99), Accounting.maxMs(h)));
            md.append(String.format(Locale.ROOT, "| fan-out: nodes' CPU per delivery | %.2f µs |%n", 1e6 * fanNodes / Math.max(1, received)));
            md.append(String.format(Locale.ROOT, "| fan-out: Redis CPU s / commands processed | %.2f s / %,d |%n", fanRedis,
                    field(infoAfter, "total_commands_processed") - field(infoBefore, "total_commands_processed")));
            md.append(String.format(Locale.ROOT, "| Redis used memory at the end | %.1f MiB |%n", field(infoAfter, "used_memory") / 1048576.0));
            Files.writeString(out.resolve("scale.md"), md.toString(), StandardCharsets.UTF_8);
            return md.toString();
        } finally {
            for (WorkerHandle w : workers) {
                w.close();
            }
            for (ServerUnderTest n : nodes) {
                n.close();
            }
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static double mean(long[] v) {
        double s = 0;
        for (long x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    private static void awaitRedis(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!redisInfo(port).contains("redis_version")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the run's redis-server did not answer on port " + port);
            }
            Thread.sleep(100);
        }
    }

    /** {@code INFO} through redis-cli; empty when Redis does not answer. */
    private static String redisInfo(int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Tools.path("redis-cli"), "-p", Integer.toString(port), "INFO").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return text;
    }

    static long field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }
}
