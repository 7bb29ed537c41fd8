package io.switchboard.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The results.md sections of the capacity and cold scenarios. */
final class ReportTables {

    private ReportTables() {
    }

    static void capacity(Report report, StringBuilder md) {
        Settings settings = report.settings();
        List<Target> ran = report.targets().stream().filter(t -> report.find(t, Scenario.CAPACITY).isPresent()).toList();
        if (ran.isEmpty()) {
            return;
        }
        double[] rates = CapacitySteps.rates(settings.capacityRates);
        md.append(String.format(Locale.ROOT, "%n## capacity: %d subscribers of one channel, the publisher stepping through %s msg/s%n%n",
                settings.fanoutSubscribers, Arrays.stream(rates).mapToObj(Report::rate).collect(Collectors.joining(", "))));
        md.append(String.format(Locale.ROOT, "Each step on the same connections: %s s of warm-up (the first step, the server's first fan-out: %s s), "
                        + "%s s measured, %s s of drain. A step is sustained "
                        + "when nothing is lost (a subscriber the server closes loses every message after) and p99 is under %.0f ms; %s%n%n",
                Report.rate(settings.capacityWarmupSeconds), Report.rate(Math.max(settings.warmupSeconds, settings.capacityWarmupSeconds)),
                Report.rate(settings.capacityMeasureSeconds), Report.rate(settings.capacityDrainSeconds), settings.capacityP99LimitMs,
                settings.capacityKeepGoing ? "every step ran (--capacity-keep-going), but the highest sustained rate ends at the first step that was not."
                        : "the first step that is not ends the stepping for that server."));
        md.append("| server | connected | highest sustained rate | deliveries/s there | vs ws | steps run | first step not sustained |\n");
        md.append("|---|---:|---:|---:|---:|---|---|\n");
        for (Target t : ran) {
            ScenarioRun r = report.find(t, Scenario.CAPACITY).orElseThrow();
            List<ScenarioRun> steps = r.steps == null ? List.of() : r.steps;
            double atBest = steps.stream().filter(st -> st.offeredRate == r.highestSustainedRate && st.shortfall == null)
                    .mapToDouble(st -> st.deliveriesPerSecond).findFirst().orElse(Double.NaN);
            String firstShort = steps.stream().filter(st -> st.shortfall != null).findFirst()
                    .map(st -> Report.rate(st.offeredRate) + " msg/s: " + st.shortfall).orElse("none");
            md.append(String.format(Locale.ROOT, "| %s | %d | %s msg/s | %s | %s | %s | %s |%n", t.label(), r.connected, report.sustained(t),
                    Double.isNaN(atBest) ? "n/a" : String.format(Locale.ROOT, "%.0f", atBest),
                    t == Target.WS || report.find(Target.WS, Scenario.CAPACITY).isEmpty() ? "" : report.capacityRatio(t, Target.WS),
                    steps.stream().map(st -> Report.rate(st.offeredRate)).collect(Collectors.joining(", ")), firstShort));
        }
        md.append("\n| server | offered msg/s | offered deliveries/s | deliveries/s | expected | received | lost | closed by the server | still open "
                + "| p50 | p99 | max | server CPU s | of it in the kernel | CPU s per M deliveries | bytes per delivery | generator CPU s | machine busy | sustained |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Target t : ran) {
            ScenarioRun r = report.find(t, Scenario.CAPACITY).orElseThrow();
            for (ScenarioRun st : r.steps == null ? List.<ScenarioRun>of() : r.steps) {
                md.append(String.format(Locale.ROOT,
                        "| %s | %s | %.0f | %.0f | %d | %d | %d | %d | %d | %s ms | %s ms | %s ms | %.2f | %.0f%% | %.2f | %s | %.2f | %.0f%% | %s |%n",
                        t.label(), Report.rate(st.offeredRate), st.offeredRate * st.connected, st.deliveriesPerSecond, st.expected, st.received,
                        st.lost, st.unexpectedCloses, st.stillOpen, Report.num(st.p50Ms), Report.num(st.p99Ms), Report.num(st.maxMs),
                        st.serverCpuSeconds, st.serverSystemCpuPercent, st.serverCpuPerMillion, Report.num(st.wireBytesPerDelivery),
                        st.generatorCpuSeconds, st.machineBusyPercent, st.shortfall == null ? "yes" : "no: " + st.shortfall));
            }
        }
    }

    static void cold(Report report, StringBuilder md) {
        Settings settings = report.settings();
        List<Target> ran = report.targets().stream().filter(t -> report.find(t, Scenario.COLD).isPresent()).toList();
        if (ran.isEmpty()) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%n## cold: a fresh server, %d connections in one storm (%d attempts in flight) into one channel, "
                        + "then %s msg/s to them for %.0f s%n%n", settings.fanoutSubscribers, settings.connectConcurrency,
                Report.rate(settings.fanoutRate), settings.coldMeasureSeconds));
        md.append(String.format(Locale.ROOT, "No connection and no window of warm-up from the harness (Switchboard's `serve` runs its own warm-up, "
                + "--warm-up-sessions, before it reports ready: it is in the ready time and the CPU by then): the generators are up before the server is started, the storm "
                + "begins once it is ready, the publisher right after the storm. Times are seconds since the server's process was started (ready: the first 200 from /readyz, polled every "
                + "50 ms; its CPU then, the launcher's shell included). Deliveries later than %.0f s after the window count as lost.%n%n",
                settings.drainSeconds));
        md.append("| server | ready after | CPU by then | storm from | storm to | subscribed | failed | connections/s | p50 to subscribed "
                + "| p99 to subscribed | server CPU s | of it in the kernel | server CPU ms per connection |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Target t : ran) {
            ScenarioRun r = report.find(t, Scenario.COLD).orElseThrow();
            md.append(String.format(Locale.ROOT, "| %s | %.0f ms%s | %.2f s | %.1f s | %.1f s | %d | %d | %.0f | %.1f ms | %.1f ms | %.2f | %.0f%% | %.3f |%n",
                    t.label(), r.startToReadyMs, r.warmStartRecorded ? " (recording the warm-start archive)" : "", r.cpuAtReadySeconds,
                    r.stormFromSeconds, r.stormToSeconds, r.connected, r.failed, r.connectsPerSecond, r.connectP50Ms, r.connectP99Ms,
                    r.stormServerCpuSeconds, r.stormServerSystemCpuPercent, ColdStart.stormCpuMsPerConnection(r)));
        }
        md.append("\n| server | fan-out from | to | deliveries/s | p50 | p99 | max | expected | received | lost | closed by the server "
                + "| server CPU s | of it in the kernel | CPU s per M deliveries | generator CPU s | machine busy |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Target t : ran) {
            ScenarioRun r = report.find(t, Scenario.COLD).orElseThrow();
            md.append(String.format(Locale.ROOT, "| %s | %.1f s | %.1f s | %.0f | %s ms | %s ms | %s ms | %d | %d | %d | %d | %.2f | %.0f%% | %.2f | %.2f | %.0f%% |%n",
                    t.label(), r.fanoutFromSeconds, r.fanoutToSeconds, r.deliveriesPerSecond, Report.num(r.p50Ms), Report.num(r.p99Ms),
                    Report.num(r.maxMs), r.expected, r.received, r.lost, r.unexpectedCloses, r.serverCpuSeconds, r.serverSystemCpuPercent,
                    r.serverCpuPerMillion, r.generatorCpuSeconds, r.machineBusyPercent));
        }
        bySecond(report, ran, md);
    }

    /** The cold fan-out's p99 second by second: where in the first minute a fresh server's latency comes from. */
    private static void bySecond(Report report, List<Target> ran, StringBuilder md) {
        List<double[]> columns = ran.stream().map(t -> report.find(t, Scenario.COLD).orElseThrow().p99BySecondMs)
                .map(p -> p == null ? new double[0] : p).toList();
        int seconds = columns.stream().mapToInt(p -> p.length).max().orElse(0);
        if (seconds == 0) {
            return;
        }
        md.append("\nThe fan-out's p99 by the second in which its messages were due (second 0: the first of the fan-out):\n\n| second |");
        for (Target t : ran) {
            md.append(' ').append(t.label()).append(" |");
        }
        md.append("\n|---:|").append("---:|".repeat(ran.size())).append('\n');
        for (int s = 0; s < seconds; s++) {
            md.append("| ").append(s).append(" |");
            for (double[] p : columns) {
                md.append(' ').append(s >= p.length || Double.isNaN(p[s]) ? "none due" : Report.num(p[s]) + " ms").append(" |");
            }
            md.append('\n');
        }
    }
}
