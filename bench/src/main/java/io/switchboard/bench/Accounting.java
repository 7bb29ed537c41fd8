package io.switchboard.bench;

import java.util.List;
import org.HdrHistogram.Histogram;

/** Turns what the generators and /proc reported into the figures of a {@link ScenarioRun}. */
final class Accounting {

    private Accounting() {
    }

    /**
     * Deliveries the window should have produced. fanout (capacity, cold): every message published in the
     * window, once per subscriber that was connected, also those the server closed since; rooms: what each worker's publishes owed its own
     * (whole) rooms.
     */
    static long expected(Scenario s, List<WorkerResult> results) {
        long published = 0;
        long subscribers = 0;
        long local = 0;
        for (WorkerResult r : results) {
            published += r.published;
            subscribers += r.connected;
            local += r.expectedLocal;
        }
        return switch (s) {
            case FANOUT, CAPACITY, COLD -> published * subscribers;
            case ROOMS -> local;
            default -> 0;
        };
    }

    static Histogram merge(List<String> encoded) {
        Histogram all = Deliveries.newHistogram();
        for (String e : encoded) {
            if (e != null) {
                all.add(Json.decode(e));
            }
        }
        return all;
    }

    /** A percentile of a microsecond histogram, in milliseconds; NaN when nothing was recorded. */
    static double percentileMs(Histogram h, double percentile) {
        if (h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMs(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
    }

    /** CPU seconds per million deliveries; NaN when nothing was delivered. */
    static double cpuPerMillion(double cpuSeconds, long deliveries) {
        return deliveries <= 0 ? Double.NaN : cpuSeconds / (deliveries / 1e6);
    }

    static double perConnection(long before, long after, int connections) {
        return connections <= 0 ? Double.NaN : (after - before) / (double) connections;
    }

    /** Fills the delivery figures of {@code run} from the workers' results. */
    static void deliveries(ScenarioRun run, Scenario s, List<WorkerResult> results, double measureSeconds,
                           double serverCpuSeconds) {
        run.measureSeconds = measureSeconds;
        run.expected = expected(s, results);
        for (WorkerResult r : results) {
            run.published += r.published;
            run.received += r.received;
            run.generatorCpuSeconds += r.cpuSeconds;
            run.serverErrors += r.serverErrors;
            run.unexpectedCloses += r.unexpectedCloses;
        }
        run.lost = run.expected - run.received;
        long wire = results.stream().mapToLong(r -> r.wireBytesIn).sum();
        run.wireBytesPerDelivery = run.received == 0 ? Double.NaN : wire / (double) run.received;
        run.deliveriesPerSecond = run.received / measureSeconds;
        Histogram h = merge(results.stream().map(r -> r.latency).toList());
        run.p50Ms = percentileMs(h, 50);
        run.p99Ms = percentileMs(h, 99);
        run.p999Ms = percentileMs(h, 99.9);
        run.maxMs = maxMs(h);
        run.histogram = Json.encode(h);
        run.p99BySecondMs = p99BySecond(results);
        run.serverCpuSeconds = serverCpuSeconds;
        run.serverCpuPerMillion = cpuPerMillion(serverCpuSeconds, run.received);
    }

    /**
     * The p99 latency of the deliveries due in each second of the window, all workers together, in
     * milliseconds; NaN for a second in which none was due.
     */
    static double[] p99BySecond(List<WorkerResult> results) {
        int seconds = results.stream().mapToInt(r -> r.latencyBySecond == null ? 0 : r.latencyBySecond.size()).max().orElse(0);
        double[] p99 = new double[seconds];
        for (int s = 0; s < seconds; s++) {
            Histogram all = Deliveries.newSecondHistogram();
            for (WorkerResult r : results) {
                if (r.latencyBySecond != null && s < r.latencyBySecond.size() && r.latencyBySecond.get(s) != null) {
                    all.add(Json.decode(r.latencyBySecond.get(s)));
                }
            }
            p99[s] = percentileMs(all, 99);
        }
        return p99;
    }

    /** Fills the connect figures: the storm's rate is all subscribed connections over the longest worker's time. */
    static void connects(ScenarioRun run, List<WorkerResult> results, double serverCpuSeconds) {
        long elapsed = 0;
        for (WorkerResult r : results) {
            elapsed = Math.max(elapsed, r.connectElapsedNanos);
            run.generatorCpuSeconds += r.cpuSeconds;
        }
        run.measureSeconds = elapsed / 1e9;
        run.connectsPerSecond = elapsed <= 0 ? Double.NaN : run.connected / (elapsed / 1e9);
        Histogram h = merge(results.stream().map(r -> r.connectLatency).toList());
        run.connectP50Ms = percentileMs(h, 50);
        run.connectP99Ms = percentileMs(h, 99);
        run.histogram = Json.encode(h);
        run.serverCpuSeconds = serverCpuSeconds;
    }

    /** Fills the presence figures: pushes per member and how many members ended on the exact count. */
    static void presence(ScenarioRun run, List<WorkerResult> results) {
        long pushes = 0;
        for (WorkerResult r : results) {
            pushes += r.presencePushes;
            run.exactFinal += r.exactFinal;
        }
        run.presencePushesPerClient = run.connected == 0 ? Double.NaN : (double) pushes / run.connected;
    }

    /**
     * Why a capacity step does not count as sustained, or null when it does: something was delivered, nothing
     * lost (a subscriber the server closed owes every message after), no duplicate, and p99 below the limit.
     */
    static String shortfall(ScenarioRun step, double p99LimitMs) {
        if (step.expected <= 0) {
            return "nothing to deliver (no subscriber or no message)";
        }
        if (step.lost > 0) {
            return String.format(java.util.Locale.ROOT, "lost %d of %d", step.lost, step.expected);
        }
        if (step.lost < 0) {
            return String.format(java.util.Locale.ROOT, "%d deliveries more than expected", -step.lost);
        }
        if (!(step.p99Ms < p99LimitMs)) {
            return String.format(java.util.Locale.ROOT, "p99 %.0f ms ≥ %.0f ms", step.p99Ms, p99LimitMs);
        }
        return null;
    }

    /**
     * The highest offered rate up to which every step was sustained: the steps are in rising order, and a
     * rate counts only when every lower one held too (a step after a failed one can pass by luck). 0 when
     * the first step fell short, NaN when there were no steps.
     */
    static double highestSustained(List<ScenarioRun> steps) {
        if (steps == null || steps.isEmpty()) {
            return Double.NaN;
        }
        double best = 0;
        for (ScenarioRun step : steps) {
            if (step.shortfall != null) {
                break;
            }
            best = Math.max(best, step.offeredRate);
        }
        return best;
    }

    /** Whether all {@code offered} steps ran and every one was sustained: the limit lies above the highest rate tried. */
    static boolean everySustained(List<ScenarioRun> steps, int offered) {
        return steps != null && steps.size() == offered && offered > 0 && steps.stream().allMatch(s -> s.shortfall == null);
    }
}
