package io.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The cold scenario on one freshly started server whose generators hold no connection yet: a storm of
 * connections that all subscribe to one channel, then at once (no warm-up window) the fan-out to them
 * for {@link Settings#coldMeasureSeconds}. The server's CPU is read around each part, and every time is
 * given as seconds since the server's process was started.
 */
final class ColdStart {

    private final Settings settings;
    private final Consumer<String> say;

    ColdStart(Settings settings, Consumer<String> say) {
        this.settings = settings;
        this.say = say;
    }

    void run(ServerUnderTest server, List<WorkerHandle> workers, ScenarioRun run) throws Exception {
        run.startToReadyMs = (server.readyNanos - server.launchedNanos) / 1e6;
        run.cpuAtReadySeconds = server.cpuAtReady;
        run.warmStartRecorded = server.recordedWarmStart();

        CpuSnapshot before = CpuSnapshot.of(server);
        long stormFrom = System.nanoTime();
        for (WorkerHandle h : workers) {
            h.send("STORM");
        }
        for (WorkerHandle h : workers) {
            h.await("STORMED ", (settings.openTimeoutSeconds * 2L + 30) * 1000L);
        }
        long stormTo = System.nanoTime();
        CpuSnapshot after = CpuSnapshot.of(server);
        run.stormFromSeconds = server.sinceLaunch(stormFrom);
        run.stormToSeconds = server.sinceLaunch(stormTo);
        run.stormServerCpuSeconds = before.serverCpu(after);
        run.stormServerSystemCpuPercent = before.kernelPercent(after);

        long start = System.nanoTime() + 300_000_000L;
        long end = start + (long) (settings.coldMeasureSeconds * 1e9);
        long drainEnd = end + (long) (settings.drainSeconds * 1e9);
        String go = new Worker.Go(start, start, end, drainEnd, settings.fanoutRate).line();
        for (WorkerHandle h : workers) {
            h.send(go);
        }
        say.accept(String.format(Locale.ROOT, "      ready %.0f ms after the start; storm from %.1f to %.1f s; publishing from %.1f s, %.0f s measured, %.0f s drain",
                run.startToReadyMs, run.stormFromSeconds, run.stormToSeconds, server.sinceLaunch(start),
                settings.coldMeasureSeconds, settings.drainSeconds));
        Worker.sleepUntil(start);
        CpuSnapshot a = CpuSnapshot.of(server);
        Worker.sleepUntil(drainEnd);
        CpuSnapshot b = CpuSnapshot.of(server);
        List<WorkerResult> results = new ArrayList<>();
        for (WorkerHandle h : workers) {
            String line = h.await("RESULT ", 60_000);
            results.add(Json.read(line.substring("RESULT ".length()), WorkerResult.class));
        }
        run.fanoutFromSeconds = server.sinceLaunch(start);
        run.fanoutToSeconds = server.sinceLaunch(end);
        run.stillOpen = 0;
        for (WorkerResult r : results) {
            run.connected += r.connected;
            run.failed += r.failed;
            run.stillOpen += r.stillOpen;
            if (run.firstFailure == null) {
                run.firstFailure = r.firstFailure;
            }
        }
        // The storm's figures from a scratch run: connects() would also take the generators' CPU and the histogram.
        ScenarioRun storm = new ScenarioRun();
        storm.connected = run.connected;
        Accounting.connects(storm, results, run.stormServerCpuSeconds);
        run.connectsPerSecond = storm.connectsPerSecond;
        run.connectP50Ms = storm.connectP50Ms;
        run.connectP99Ms = storm.connectP99Ms;
        Accounting.deliveries(run, Scenario.COLD, results, settings.coldMeasureSeconds, a.serverCpu(b));
        a.fill(run, b, run.generatorCpuSeconds);
        say.accept(String.format(Locale.ROOT, "      storm: %d subscribed (%d failed), %.0f per second, server CPU %.3f ms per connection; "
                        + "fan-out: %.0f deliveries/s, p99 %s ms, lost %d of %d, server CPU %.1f s per M deliveries",
                run.connected, run.failed, run.connectsPerSecond, stormCpuMsPerConnection(run),
                run.deliveriesPerSecond, Report.num(run.p99Ms), run.lost, run.expected, run.serverCpuPerMillion));
    }

    /** The server's CPU milliseconds per subscribed connection in the storm (the fan-out's publisher included in the CPU). */
    static double stormCpuMsPerConnection(ScenarioRun r) {
        return r.connected <= 0 ? Double.NaN : 1000 * r.stormServerCpuSeconds / r.connected;
    }
}
