package io.switchboard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The capacity scenario on one server, once its subscribers are connected: the publisher steps through the
 * rates of {@link Settings#capacityRates} in rising order on the same connections, each step with its own
 * warm-up, measured window and drain, and each step accounted on its own. The first step that loses a
 * delivery or whose p99 reaches the limit ends the stepping (unless {@link Settings#capacityKeepGoing}):
 * a server that fell behind carries its backlog into the next step, which would then measure the backlog.
 */
final class CapacitySteps {

    private final Settings settings;
    private final Consumer<String> say;

    CapacitySteps(Settings settings, Consumer<String> say) {
        this.settings = settings;
        this.say = say;
    }

    /** The rates to step through: positive, without repeats, rising. */
    static double[] rates(double[] given) {
        return Arrays.stream(given).filter(r -> r > 0).distinct().sorted().toArray();
    }

    void run(ServerUnderTest server, List<WorkerHandle> workers, ScenarioRun run) throws Exception {
        double[] rates = rates(settings.capacityRates);
        run.steps = new ArrayList<>();
        run.measureSeconds = settings.capacityMeasureSeconds;
        for (double rate : rates) {
            // The first step is the first fan-out this server's runtime sees: it warms up as long as fanout does.
            double warmup = run.steps.isEmpty() ? Math.max(settings.warmupSeconds, settings.capacityWarmupSeconds) : settings.capacityWarmupSeconds;
            long start = System.nanoTime() + 300_000_000L;
            long warmupEnd = start + (long) (warmup * 1e9);
            long end = warmupEnd + (long) (settings.capacityMeasureSeconds * 1e9);
            long drainEnd = end + (long) (settings.capacityDrainSeconds * 1e9);
            ScenarioRun step = new ScenarioRun();
            step.target = run.target;
            step.scenario = run.scenario;
            step.offeredRate = rate;
            step.loadAverage = Files.readString(Path.of("/proc/loadavg")).trim();
            String go = new Worker.Go(start, warmupEnd, end, drainEnd, rate).line();
            for (WorkerHandle h : workers) {
                h.send(go);
            }
            Worker.sleepUntil(warmupEnd);
            CpuSnapshot a = CpuSnapshot.of(server);
            Worker.sleepUntil(drainEnd);
            CpuSnapshot b = CpuSnapshot.of(server);
            List<WorkerResult> results = new ArrayList<>();
            for (WorkerHandle h : workers) {
                String line = h.await("RESULT ", 60_000);
                results.add(Json.read(line.substring("RESULT ".length()), WorkerResult.class));
            }
            step.stillOpen = 0;
            for (WorkerResult r : results) {
                step.connected += r.connected;
                step.failed += r.failed;
                step.stillOpen += r.stillOpen;
                if (run.firstFailure == null) {
                    run.firstFailure = r.firstFailure;
                }
            }
            Accounting.deliveries(step, Scenario.CAPACITY, results, settings.capacityMeasureSeconds, a.serverCpu(b));
            a.fill(step, b, step.generatorCpuSeconds);
            step.shortfall = Accounting.shortfall(step, settings.capacityP99LimitMs);
            run.steps.add(step);
            say.accept(String.format(Locale.ROOT, "      %s msg/s: %.0f deliveries/s, p99 %s ms, lost %d of %d, %d closed by the server, "
                            + "server CPU %.1f s per M deliveries; machine %.0f%% busy: %s",
                    Report.rate(rate), step.deliveriesPerSecond, Report.num(step.p99Ms), step.lost, step.expected, step.unexpectedCloses,
                    step.serverCpuPerMillion, step.machineBusyPercent, step.shortfall == null ? "sustained" : "not sustained, " + step.shortfall));
            if (step.shortfall != null && !settings.capacityKeepGoing) {
                if (rate < rates[rates.length - 1]) {
                    say.accept("      the stepping stops here for " + server.target.label());
                }
                break;
            }
            if (!server.alive()) {
                break;
            }
        }
        run.highestSustainedRate = Accounting.highestSustained(run.steps);
        run.everyStepSustained = Accounting.everySustained(run.steps, rates.length);
        run.stillOpen = run.steps.isEmpty() ? -1 : run.steps.get(run.steps.size() - 1).stillOpen;
        for (ScenarioRun step : run.steps) {
            run.unexpectedCloses += step.unexpectedCloses;
        }
        say.accept(String.format(Locale.ROOT, "      highest sustained: %s msg/s%s", Report.rate(run.highestSustainedRate),
                run.everyStepSustained ? " (every step held: the limit is higher)" : ""));
    }
}
