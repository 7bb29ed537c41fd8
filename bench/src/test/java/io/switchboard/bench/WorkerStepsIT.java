package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capacity scenario's generator against a real node: several windows on the same connections, each
 * answered on its own, and subscribers that the node closes between two windows (here through its
 * {@code /api/disconnect}, as it would close a slow consumer) still owed every message after, so that they
 * show as lost. The generator ends when told, whatever its connections went through.
 */
class WorkerStepsIT {

    private static final String API_KEY = "bench-steps-api-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void subscribersTheServerClosesStayExpectedAndShowAsLost() throws Exception {
        int port = ServerUnderTest.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> node = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.switchboard.server.cli.Main");
        List<String> cmd = new ArrayList<>(Launchers.command(Target.SWITCHBOARD, null, node, port, Compare.SECRET));
        cmd.addAll(List.of("--api-key", API_KEY));
        try (ServerUnderTest server = ServerUnderTest.start(Target.SWITCHBOARD, cmd, port, dir.resolve("node.log"))) {
            WorkerSpec spec = WorkerSpec.of(Scenario.CAPACITY, Target.SWITCHBOARD, port, Compare.SECRET);
            spec.conns = 10;
            spec.publisher = true;
            spec.publishRate = 1; // every GO names its own rate
            spec.openTimeoutSeconds = 20;
            BlockingQueue<String> toWorker = new LinkedBlockingQueue<>();
            BlockingQueue<String> fromWorker = new LinkedBlockingQueue<>();
            List<Throwable> failure = new ArrayList<>();
            Thread worker = new Thread(() -> {
                try {
                    new Worker(spec).run(() -> {
                        try {
                            return toWorker.poll(2, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            return null;
                        }
                    }, fromWorker::add);
                } catch (Throwable t) {
                    failure.add(t);
                }
            }, "steps-worker");
            worker.setDaemon(true);
            worker.start();
            try {
                assertThat(next(fromWorker, "READY")).isEqualTo("READY 10 0");

                WorkerResult first = step(toWorker, fromWorker, 20);
                assertThat(first.connected).isEqualTo(10);
                assertThat(first.published).isEqualTo(20); // 20 msg/s for the 1 s window
                assertThat(first.received).isLessThanOrEqualTo(first.published * 10).isGreaterThanOrEqualTo(first.published * 9);
                assertThat(first.unexpectedCloses).isZero();
                assertThat(first.stillOpen).isEqualTo(10);

                // The node closes two subscribers; the next window is offered once it has let go of them.
                disconnect(port, "u3");
                disconnect(port, "u7");
                org.awaitility.Awaitility.await("the node lets go of the two closed subscribers")
                        .atMost(20, TimeUnit.SECONDS).until(() -> subscribers(port) == 8);

                WorkerResult second = step(toWorker, fromWorker, 40);
                assertThat(second.published).isEqualTo(40);
                assertThat(second.connected).as("the closed subscribers are still counted").isEqualTo(10);
                assertThat(second.unexpectedCloses).isEqualTo(2);
                assertThat(second.stillOpen).isEqualTo(8);
                assertThat(second.received).isLessThanOrEqualTo(second.published * 8).isGreaterThanOrEqualTo(second.published * 8 * 9 / 10);
                ScenarioRun run = new ScenarioRun();
                Accounting.deliveries(run, Scenario.CAPACITY, List.of(second), 1, 0);
                assertThat(run.expected).isEqualTo(400);
                assertThat(run.lost).isGreaterThanOrEqualTo(80);
                assertThat(Accounting.shortfall(run, 250)).startsWith("lost ");
            } finally {
                toWorker.add("END");
                worker.join(30_000);
            }
            assertThat(worker.isAlive()).as("the generator ends when told").isFalse();
            assertThat(failure).isEmpty();
        }
    }

    /** One window: 0.3 s to start, 0.2 s of warm-up, 1 s measured, 2 s of drain. */
    private static WorkerResult step(BlockingQueue<String> toWorker, BlockingQueue<String> fromWorker, double rate) throws Exception {
        long start = System.nanoTime() + 300_000_000L;
        long warmupEnd = start + 200_000_000L;
        long end = warmupEnd + 1_000_000_000L;
        toWorker.add(new Worker.Go(start, warmupEnd, end, end + 2_000_000_000L, rate).line());
        String line = next(fromWorker, "RESULT ");
        return Json.read(line.substring("RESULT ".length()), WorkerResult.class);
    }

    private static String next(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        String line = lines.poll(60, TimeUnit.SECONDS);
        assertThat(line).as("the worker's next line").isNotNull().startsWith(prefix);
        return line;
    }

    private static void disconnect(int port, String user) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/disconnect"))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user + "\",\"code\":4503}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static int subscribers(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/channels?prefix=fanout"))
                .header("X-API-Key", API_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        int n = 0;
        for (JsonNode c : Json.MAPPER.readTree(r.body()).get("channels")) {
            if (c.get("channel").asText().equals("fanout")) {
                n = c.get("subscribers").asInt();
            }
        }
        return n;
    }
}
