package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** Writes results.json, results.md (tables, ratios, the targets) and the PNG charts of one run. */
final class Report {

    private final List<ScenarioRun> runs;
    private final List<Target> targets;
    private final Settings settings;
    private final Map<String, String> environment;

    Report(List<ScenarioRun> runs, List<Target> targets, Settings settings, Map<String, String> environment) {
        this.runs = runs;
        this.targets = targets;
        this.settings = settings;
        this.environment = environment;
    }

    Settings settings() {
        return settings;
    }

    List<Target> targets() {
        return targets;
    }

    /** The first run of a scenario against a server (the only one, but for the scenarios --repeat repeats). */
    Optional<ScenarioRun> find(Target t, Scenario s) {
        return all(t, s).stream().findFirst();
    }

    /** Every run of a scenario against a server, in the order of their repetitions. */
    List<ScenarioRun> all(Target t, Scenario s) {
        return runs.stream().filter(r -> r.target.equals(t.id()) && r.scenario.equals(s.id()))
                .sorted(java.util.Comparator.comparingInt(r -> r.repetition)).toList();
    }

    /** A figure of a scenario against a server: the median over its runs (NaN ones left out); NaN when none. */
    double value(Target t, Scenario s, ToDoubleFunction<ScenarioRun> f) {
        return median(all(t, s).stream().mapToDouble(f).toArray());
    }

    /** The median of the values that are not NaN (the mean of the middle two of an even count); NaN when none. */
    static double median(double[] values) {
        double[] v = java.util.Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * Switchboard's figure over ws's in each repetition both ran, as ratios; a pair without a ratio (a run
     * that gave no figure: nothing connected, nothing delivered) is infinite, a miss whatever the bound.
     */
    double[] pairRatios(Scenario s, ToDoubleFunction<ScenarioRun> f) {
        List<ScenarioRun> ws = all(Target.WS, s);
        return all(Target.SWITCHBOARD, s).stream().flatMap(a -> ws.stream().filter(b -> b.repetition == a.repetition)
                        .map(b -> f.applyAsDouble(a) / f.applyAsDouble(b)))
                .mapToDouble(Double::doubleValue).map(x -> Double.isFinite(x) ? x : Double.POSITIVE_INFINITY).toArray();
    }

    /**
     * A target that is Switchboard's figure over ws's within a bound: the figures (medians over the runs),
     * the ratio (the median of the pairs' ratios, with their range and how many were within the bound when
     * there were several) and whether the median is within it.
     */
    private String[] ratioRow(String name, Scenario s, ToDoubleFunction<ScenarioRun> f, java.util.function.DoubleFunction<String> format,
                              double bound, String boundText) {
        double[] pairs = pairRatios(s, f);
        double mid = median(pairs);
        String ratio = "SB/ws " + ratio(mid) + " (" + boundText + ")";
        if (pairs.length > 1) {
            long within = java.util.Arrays.stream(pairs).filter(x -> x <= bound).count();
            ratio += String.format(Locale.ROOT, ", the median of %d pairs: %s to %s, %d of them within", pairs.length,
                    ratio(java.util.Arrays.stream(pairs).min().orElseThrow()), ratio(java.util.Arrays.stream(pairs).max().orElseThrow()), within);
        }
        return new String[] {name, format.apply(value(Target.SWITCHBOARD, s, f)), format.apply(value(Target.WS, s, f)),
                format.apply(value(Target.SOCKETIO, s, f)), ratio, pairs.length == 0 ? NOT_RUN : met(mid <= bound)}; // none: not both ran
    }

    /** A server's name in a table row: with the repetition's number when the scenario ran more than once. */
    String label(Target t, ScenarioRun r) {
        return settings.repeat > 1 && Scenario.of(r.scenario).repeats() ? t.label() + " #" + r.repetition : t.label();
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("environment", environment);
        json.put("settings", settings);
        json.put("targets", targetsJson());
        json.put("runs", runs);
        Json.MAPPER.writeValue(dir.resolve("results.json").toFile(), json);
        Files.writeString(dir.resolve("results.md"), markdown());
        charts(dir);
    }

    private boolean withWs() {
        return targets.containsAll(List.of(Target.SWITCHBOARD, Target.WS));
    }

    /** The targets table as results.json gives it (empty unless Switchboard and ws both ran, as in results.md). */
    List<Map<String, Object>> targetsJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        if (withWs()) {
            for (String[] row : targetRows()) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("target", row[0]);
                m.put("switchboard", row[1]);
                m.put("ws", row[2]);
                m.put("socketio", row[3]);
                m.put("ratio", row[4]);
                m.put("met", row[5].equals(met(true)));
                m.put("measured", !row[5].equals(NOT_RUN));
                out.add(m);
            }
        }
        return out;
    }

    /** One line per target of the issue: the figures, the ratio, and whether it was met. */
    List<String[]> targetRows() {
        List<String[]> rows = new ArrayList<>();
        Target sb = Target.SWITCHBOARD;
        Target ws = Target.WS;
        Target sio = Target.SOCKETIO;
        // The targets of issue 16, each a ratio to ws in this run (Socket.IO's figure is shown beside them).
        rows.add(ratioRow("RSS per idle subscribed connection (" + settings.idleConnections + ")", Scenario.IDLE,
                r -> r.rssPerConnectionBytes, Report::kib, 0.5, "≤ 0.5"));
        double heapSb = value(sb, Scenario.IDLE, r -> r.heapPerConnectionBytes < 0 ? Double.NaN : r.heapPerConnectionBytes);
        rows.add(new String[] {"live heap after GC per idle connection (" + settings.idleConnections + ")",
                kib(heapSb), "n/a", "n/a", "≤ 1.5 KiB", all(sb, Scenario.IDLE).isEmpty() ? NOT_RUN : met(heapSb <= 1.5 * 1024)});
        rows.add(ratioRow("server CPU s per million deliveries, fanout (" + settings.fanoutSubscribers + ")", Scenario.FANOUT,
                r -> r.serverCpuPerMillion, Report::num, 0.75, "≤ 0.75"));
        rows.add(ratioRow("of it in user space (the rest is the kernel's), fanout", Scenario.FANOUT,
                Report::userCpuPerMillion, Report::num, 1.0 / 3, "≤ 0.33"));
        for (Scenario s : new Scenario[] {Scenario.FANOUT, Scenario.ROOMS}) {
            rows.add(ratioRow("p99 latency, " + s.id() + " (ms)", s, r -> r.p99Ms, Report::num, 1, "≤ 1"));
        }
        rows.add(ratioRow("connect: server CPU ms per connection", Scenario.CONNECT, Report::cpuMsPerConnection, Report::num3, 1, "≤ 1"));
        if (ran(Scenario.CAPACITY)) {
            double hSb = value(sb, Scenario.CAPACITY, r -> r.highestSustainedRate);
            double hWs = value(ws, Scenario.CAPACITY, r -> r.highestSustainedRate);
            rows.add(new String[] {String.format(Locale.ROOT, "capacity: highest sustained fan-out rate, msg/s to %d subscribers (nothing lost, p99 < %.0f ms)",
                    settings.fanoutSubscribers, settings.capacityP99LimitMs),
                    sustained(sb), sustained(ws), sustained(sio),
                    "SB/ws " + capacityRatio(sb, ws) + ", SB/SIO " + capacityRatio(sb, sio) + " (≥ 2)",
                    met(!capped(ws) && hSb / hWs >= 2)});
        }
        if (ran(Scenario.COLD)) {
            double sSb = value(sb, Scenario.COLD, ColdStart::stormCpuMsPerConnection);
            double sWs = value(ws, Scenario.COLD, ColdStart::stormCpuMsPerConnection);
            rows.add(new String[] {"cold: server CPU ms per connection, storm of " + settings.fanoutSubscribers + " on a fresh server",
                    num3(sSb), num3(sWs), num3(value(sio, Scenario.COLD, ColdStart::stormCpuMsPerConnection)),
                    "SB/ws " + ratio(sSb / sWs) + " (≤ 2)", met(sSb / sWs <= 2)});
            double dSb = value(sb, Scenario.COLD, r -> r.serverCpuPerMillion);
            double dWs = value(ws, Scenario.COLD, r -> r.serverCpuPerMillion);
            rows.add(new String[] {String.format(Locale.ROOT, "cold: server CPU s per million deliveries, the first %.0f s of fan-out", settings.coldMeasureSeconds),
                    num(dSb), num(dWs), num(value(sio, Scenario.COLD, r -> r.serverCpuPerMillion)),
                    "SB/ws " + ratio(dSb / dWs) + " (≤ 2)", met(dSb / dWs <= 2)});
        }
        return rows;
    }

    /** A delivery scenario's server CPU per million deliveries spent in user space. */
    static double userCpuPerMillion(ScenarioRun r) {
        return Double.isNaN(r.serverSystemCpuPercent) ? Double.NaN : r.serverCpuPerMillion * (1 - r.serverSystemCpuPercent / 100);
    }

    /** A connect storm's server CPU per connection that subscribed, in milliseconds. */
    static double cpuMsPerConnection(ScenarioRun r) {
        return r.connected == 0 ? Double.NaN : 1000 * r.serverCpuSeconds / r.connected;
    }

    private boolean ran(Scenario s) {
        return runs.stream().anyMatch(r -> r.scenario.equals(s.id()));
    }

    /** Every capacity step held: the server's limit lies above the highest rate tried. */
    private boolean capped(Target t) {
        return find(t, Scenario.CAPACITY).map(r -> r.everyStepSustained).orElse(false);
    }

    /** A server's highest sustained rate, "≥ max" when every step held, n/a when it did not run. */
    String sustained(Target t) {
        double v = value(t, Scenario.CAPACITY, r -> r.highestSustainedRate);
        return Double.isNaN(v) ? "n/a" : (capped(t) ? "≥ " : "") + rate(v);
    }

    /** a's highest sustained rate over b's; a bound when a step limit hid one of them, n/a when b held no step. */
    String capacityRatio(Target a, Target b) {
        double va = value(a, Scenario.CAPACITY, r -> r.highestSustainedRate);
        double vb = value(b, Scenario.CAPACITY, r -> r.highestSustainedRate);
        if (capped(a) && capped(b)) {
            return "n/a (both held every step)";
        }
        if (vb == 0 && va > 0) {
            return "n/a (" + b.label() + " held no step)";
        }
        return (capped(a) ? "≥ " : capped(b) ? "≤ " : "") + ratio(va / vb);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Switchboard, ws and Socket.IO side by side\n\n");
        md.append("Run of `").append(environment.getOrDefault("command", "bench/compare")).append("` started ")
                .append(environment.getOrDefault("started", "")).append(".\n\n");
        md.append("| | |\n|---|---|\n");
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (!e.getKey().equals("command")) {
                md.append("| ").append(e.getKey()).append(" | ").append(e.getValue().replace("|", "\\|")).append(" |\n");
            }
        }
        md.append("\n## Targets\n\n");
        if (settings.repeat > 1) {
            md.append(String.format(Locale.ROOT, "idle, fanout, rooms and connect ran %d times against each server (--repeat), in the "
                    + "order of --targets and then reversed, by turns. A figure below is the median of a server's runs; a ratio is the median "
                    + "of the ratios of Switchboard's and ws's runs of the same repetition (a pair), whose range follows it, and the target "
                    + "counts as met when that median is within its bound (a pair in which a run gave no figure counts as a miss). "
                    + "The tables after give every run.%n%n", settings.repeat));
        }
        if (withWs()) {
            md.append("| target | Switchboard | ws | Socket.IO | ratio | met |\n|---|---:|---:|---:|---|---|\n");
            for (String[] row : targetRows()) {
                md.append("| ").append(String.join(" | ", row)).append(" |\n");
            }
        } else {
            md.append("(Switchboard and ws did not both run: no ratios)\n");
        }

        md.append("\n## idle: ").append(settings.idleConnections).append(" connections over ")
                .append(settings.idleChannels).append(" channels\n\n");
        targets.stream().filter(Target::isSwitchboard).findFirst().flatMap(t -> find(t, Scenario.IDLE))
                .filter(r -> "0".equals(r.warmUpSessions))
                .ifPresent(r -> md.append("Switchboard ran without its warm-up here (`SWITCHBOARD_WARM_UP_SESSIONS=0`): connections "
                        + "made after it would reuse the heap and pools it grew, and the RSS growth would not say what a "
                        + "connection costs.\n\n"));
        md.append("| server | connected | failed | RSS before | RSS after | RSS per connection | heap after GC per connection |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Target t : targets) {
            all(t, Scenario.IDLE).forEach(r -> md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f MiB | %.1f MiB | %s | %s |%n",
                    label(t, r), r.connected, r.failed, r.rssBeforeBytes / 1048576.0, r.rssAfterBytes / 1048576.0,
                    kib(r.rssPerConnectionBytes), r.heapPerConnectionBytes < 0 ? "n/a" : kib(r.heapPerConnectionBytes))));
        }
        deliveryTable(md, Scenario.FANOUT, String.format(Locale.ROOT, "%d subscribers of one channel, one publisher at %.0f msg/s (%.0f deliveries/s offered)",
                settings.fanoutSubscribers, settings.fanoutRate, settings.fanoutSubscribers * settings.fanoutRate));
        double roomsRate = settings.rooms * settings.roomSize * settings.roomsRatePerMember;
        deliveryTable(md, Scenario.ROOMS, String.format(Locale.ROOT, "%d rooms of %d, every member publishing %.2f msg/s (%.0f msg/s, %.0f deliveries/s offered)",
                settings.rooms, settings.roomSize, settings.roomsRatePerMember, roomsRate, roomsRate * settings.roomSize));

        md.append("\n## connect: ").append(settings.connectConnections).append(" connections, ")
                .append(settings.connectConcurrency).append(" attempts in flight, each with a token and a subscribe\n\n");
        md.append(String.format(Locale.ROOT, "Before the storm: %d rounds of warm-up connections (each half the storm, opened and closed), "
                + "then a wait of up to %.0f s for the server to go quiet (under %.0f %% of a core over a second).%n%n",
                settings.connectWarmupRounds, settings.quietWaitSeconds, 100 * Settings.QUIET_CPU_FRACTION));
        md.append("| server | subscribed | failed | connections/s | p50 to subscribed | p99 to subscribed | server CPU s | of it in the kernel | server CPU ms per connection | generator CPU s | others' CPU s | machine busy | quiet after |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Target t : targets) {
            all(t, Scenario.CONNECT).forEach(r -> md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f ms | %.1f ms | %.2f | %.0f%% | %.3f | %.2f | %.1f | %.0f%% | %s |%n",
                    label(t, r), r.connected, r.failed, r.connectsPerSecond, r.connectP50Ms, r.connectP99Ms, r.serverCpuSeconds, r.serverSystemCpuPercent,
                    r.connected == 0 ? Double.NaN : 1000 * r.serverCpuSeconds / r.connected, r.generatorCpuSeconds,
                    r.otherCpuSeconds, r.machineBusyPercent,
                    Double.isNaN(r.quietAfterSeconds) ? "n/a" : r.quietAfterSeconds < 0 ? "not quiet" : String.format(Locale.ROOT, "%.0f s", r.quietAfterSeconds))));
        }
        presenceTable(md);
        ReportTables.capacity(this, md);
        ReportTables.cold(this, md);
        md.append("\n![latency, fanout](latency-fanout.png)\n![latency, rooms](latency-rooms.png)\n")
                .append("![memory per connection](memory.png)\n![CPU per delivery](cpu.png)\n");
        if (ran(Scenario.CAPACITY)) {
            md.append("![p99 per capacity step](capacity.png)\n");
        }
        List<String> failures = new ArrayList<>();
        for (ScenarioRun r : runs) {
            if (r.firstFailure != null) {
                failures.add("- " + r.target + " " + r.scenario + ": " + r.failed + " failed, first: " + r.firstFailure);
            }
        }
        if (!failures.isEmpty()) {
            md.append("\n## Failed connections\n\n").append(String.join("\n", failures)).append('\n');
        }
        return md.toString();
    }

    /** presence and presence-off (Switchboard only): the cost of a join with and without presence, and their ratio. */
    private void presenceTable(StringBuilder md) {
        Optional<ScenarioRun> on = find(Target.SWITCHBOARD, Scenario.PRESENCE);
        Optional<ScenarioRun> off = find(Target.SWITCHBOARD, Scenario.PRESENCE_OFF);
        if (on.isEmpty() && off.isEmpty()) {
            return;
        }
        md.append("\n## presence: ").append(settings.presenceMembers).append(" members joining one channel, ")
                .append(settings.presenceConcurrency).append(" joins in flight (Switchboard only)\n\n");
        md.append("`presence` fills a channel of the shipped `chat` namespace (history; presence with windows of 200 ms that grow with the channel, counts above 1,000 users); "
                + "`presence-off` fills a channel of the default namespace (no history, no presence). A member's last presence push should carry "
                + "the final count.\n\n");
        md.append("| channel | joined | failed | joins/s | p50 to subscribed | p99 to subscribed | server CPU s | server CPU ms per join "
                + "| presence pushes per member | members ending on the exact count | machine busy |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Optional<ScenarioRun> o : List.of(on, off)) {
            o.ifPresent(r -> md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f ms | %.1f ms | %.2f | %.3f | %.1f | %s | %.0f%% |%n",
                    r.scenario, r.connected, r.failed, r.connectsPerSecond, r.connectP50Ms, r.connectP99Ms, r.serverCpuSeconds,
                    cpuPerJoin(r), r.presencePushesPerClient, r.scenario.equals("presence") ? Integer.toString(r.exactFinal) : "n/a",
                    r.machineBusyPercent)));
        }
        if (on.isPresent() && off.isPresent()) {
            md.append(String.format(Locale.ROOT, "%nServer CPU per join with presence: %.2f × without (goal: at most 1.5 ×); joins/s: %.2f × without.%n",
                    cpuPerJoin(on.get()) / cpuPerJoin(off.get()), on.get().connectsPerSecond / off.get().connectsPerSecond));
        }
    }

    private static double cpuPerJoin(ScenarioRun r) {
        return r.connected == 0 ? Double.NaN : 1000 * r.serverCpuSeconds / r.connected;
    }

    private void deliveryTable(StringBuilder md, Scenario s, String heading) {
        md.append("\n## ").append(s.id()).append(": ").append(heading).append("\n\n");
        md.append(String.format(Locale.ROOT, "Measured %.0f s after %.0f s of warm-up; deliveries later than %.0f s after the window count as lost.%n%n",
                settings.measureSeconds, settings.warmupSeconds, settings.drainSeconds));
        md.append("| server | connected | deliveries/s | p50 | p99 | p99.9 | max | expected | received | lost | server CPU s | of it in the kernel | CPU s per M deliveries | generator CPU s | others' CPU s | machine busy |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Target t : targets) {
            all(t, s).forEach(r -> md.append(String.format(Locale.ROOT,
                    "| %s | %d | %.0f | %s ms | %s ms | %s ms | %s ms | %d | %d | %d | %.2f | %.0f%% | %.2f | %.2f | %.1f | %.0f%% |%n",
                    label(t, r), r.connected, r.deliveriesPerSecond, num(r.p50Ms), num(r.p99Ms), num(r.p999Ms), num(r.maxMs),
                    r.expected, r.received, r.lost, r.serverCpuSeconds, r.serverSystemCpuPercent, r.serverCpuPerMillion, r.generatorCpuSeconds,
                    r.otherCpuSeconds, r.machineBusyPercent)));
        }
        List<String> wire = targets.stream().flatMap(t -> all(t, s).stream().map(r -> label(t, r) + " " + num(r.wireBytesPerDelivery))).toList();
        if (!wire.isEmpty()) {
            md.append("\nBytes the generators' sockets received per delivery (WebSocket framing, batching and compression "
                    + "included; pings and acks too): ").append(String.join(", ", wire)).append(".\n");
        }
    }

    private void charts(Path dir) throws IOException {
        List<String> names = targets.stream().map(Target::label).toList();
        for (Scenario s : new Scenario[] {Scenario.FANOUT, Scenario.ROOMS}) {
            double[][] v = new double[targets.size()][];
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                v[i] = new double[] {value(t, s, r -> r.p50Ms), value(t, s, r -> r.p99Ms), value(t, s, r -> r.p999Ms), value(t, s, r -> r.maxMs)};
            }
            Charts.bars(dir.resolve("latency-" + s.id() + ".png"), "Delivery latency, " + s.id(), "ms",
                    List.of("p50", "p99", "p99.9", "max"), names, v, true);
        }
        double[][] mem = new double[targets.size()][];
        double[][] cpu = new double[targets.size()][];
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            double heap = value(t, Scenario.IDLE, r -> r.heapPerConnectionBytes);
            mem[i] = new double[] {value(t, Scenario.IDLE, r -> r.rssPerConnectionBytes) / 1024, heap < 0 ? Double.NaN : heap / 1024};
            cpu[i] = new double[] {value(t, Scenario.FANOUT, r -> r.serverCpuPerMillion), value(t, Scenario.ROOMS, r -> r.serverCpuPerMillion)};
        }
        Charts.bars(dir.resolve("memory.png"), "Server memory per idle subscribed connection (" + settings.idleConnections + ")", "KiB",
                List.of("resident (RSS)", "heap after GC (JVM only)"), names, mem, false);
        Charts.bars(dir.resolve("cpu.png"), "Server CPU per million deliveries", "CPU seconds",
                List.of("fanout", "rooms"), names, cpu, false);
        if (ran(Scenario.CAPACITY)) {
            double[] rates = CapacitySteps.rates(settings.capacityRates);
            double[][] p99 = new double[targets.size()][rates.length];
            for (int i = 0; i < targets.size(); i++) {
                java.util.Arrays.fill(p99[i], Double.NaN);
                List<ScenarioRun> steps = find(targets.get(i), Scenario.CAPACITY).map(r -> r.steps).orElse(null);
                for (ScenarioRun step : steps == null ? List.<ScenarioRun>of() : steps) {
                    int k = java.util.Arrays.binarySearch(rates, step.offeredRate);
                    if (k >= 0) {
                        p99[i][k] = step.p99Ms;
                    }
                }
            }
            Charts.bars(dir.resolve("capacity.png"), String.format(Locale.ROOT, "p99 per capacity step, %d subscribers (limit %.0f ms)",
                            settings.fanoutSubscribers, settings.capacityP99LimitMs), "ms",
                    java.util.Arrays.stream(rates).mapToObj(r -> rate(r) + " msg/s").toList(), names, p99, true);
        }
    }

    /** A rate in msg/s: whole numbers without decimals. */
    static String rate(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String num3(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String kib(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The met column of a target whose scenario did not run against both servers (a run without a figure is a miss). */
    static final String NOT_RUN = "not measured";

    static String met(boolean ok) {
        return ok ? "**yes**" : "no";
    }
}
