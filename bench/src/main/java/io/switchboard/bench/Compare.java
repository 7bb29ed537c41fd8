package io.switchboard.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The comparison: every scenario against every server, in one run, each server started fresh for each
 * scenario and killed after it, the generators in their own processes. Writes results.json,
 * results.md and the charts to the output directory.
 */
final class Compare {

    /** How servers and generators are started: real processes for a run, a classpath node and threads for the smoke test. */
    interface Launcher {
        List<String> serverCommand(Target t, int port, String secret);

        WorkerHandle worker(WorkerSpec spec, Path log) throws IOException;
    }

    static final String SECRET = "switchboard-bench-secret-0123456789abcdef";

    private final Settings settings;
    private final Launcher launcher;
    private final Path out;
    private final PrintStream progress;
    private final List<Target> targets;
    private final List<Scenario> scenarios;
    private final long began = System.nanoTime();
    private int step;
    private int runIndex;
    /** The repetition being run (--repeat): names its logs. */
    private int repetition = 1;

    Compare(Settings settings, Launcher launcher, Path out, PrintStream progress, List<Target> targets, List<Scenario> scenarios) {
        this.settings = settings;
        this.launcher = launcher;
        this.out = out;
        this.progress = progress;
        this.targets = targets;
        this.scenarios = scenarios;
    }

    List<ScenarioRun> run() throws Exception {
        Files.createDirectories(out.resolve("logs"));
        List<ScenarioRun> runs = new ArrayList<>();
        int total = scenarios.stream().mapToInt(s -> (int) targets.stream().filter(s::runsOn).count() * repetitions(s)).sum();
        // Scenario-major order: the servers run each scenario back to back, so that a change in the
        // machine's background load hits them alike; repeated, they take turns at going first.
        for (Scenario s : scenarios) {
            int reps = repetitions(s);
            for (int rep = 1; rep <= reps; rep++) {
                repetition = rep;
                for (Target t : order(targets, rep)) {
                    if (!s.runsOn(t)) {
                        continue;
                    }
                    step++;
                    say(String.format("[%d/%d] %s %s%s", step, total, t.label(), s.id(), reps > 1 ? " (" + rep + " of " + reps + ")" : ""));
                    ScenarioRun r = runOne(t, s);
                    r.repetition = rep;
                    runs.add(r);
                }
            }
        }
        return runs;
    }

    private int repetitions(Scenario s) {
        return s.repeats() ? Math.max(1, settings.repeat) : 1;
    }

    /** The servers' order in repetition {@code rep} (1, 2, ...): as given in odd ones, reversed in even ones. */
    static List<Target> order(List<Target> targets, int rep) {
        List<Target> order = new ArrayList<>(targets);
        if (rep % 2 == 0) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    /** What a file of this run is named after: the server and scenario, and the repetition after the first. */
    private String runName(Target t, Scenario s) {
        return t.id() + "-" + s.id() + (repetition > 1 ? "-" + repetition : "");
    }

    private void say(String line) {
        long secs = (System.nanoTime() - began) / 1_000_000_000L;
        progress.printf("%3d:%02d  %s%n", secs / 60, secs % 60, line);
        progress.flush();
    }

    ScenarioRun runOne(Target t, Scenario s) throws Exception {
        int port = ServerUnderTest.freePort();
        Path serverLog = out.resolve("logs").resolve(runName(t, s) + "-server.log");
        Files.deleteIfExists(serverLog);
        ScenarioRun run = new ScenarioRun();
        run.target = t.id();
        run.scenario = s.id();
        List<WorkerSpec> specs = split(s, t, port);
        // cold's generators open nothing before their storm: they are started, and ready, before the server, so
        // that the storm reaches it the moment it is ready rather than once two JVMs have started.
        List<WorkerHandle> early = new ArrayList<>();
        int[] earlyReady = null;
        try {
            if (s == Scenario.COLD) {
                startWorkers(specs, t, s, early);
                earlyReady = awaitReady(early);
            }
            return runOne(t, s, run, specs, port, serverLog, early, earlyReady);
        } finally {
            for (WorkerHandle h : early) { // only when the server did not start: otherwise handed over and closed
                h.send("END");
                h.close();
            }
        }
    }

    private void startWorkers(List<WorkerSpec> specs, Target t, Scenario s, List<WorkerHandle> into) throws IOException {
        for (int w = 0; w < specs.size(); w++) {
            into.add(launcher.worker(specs.get(w), out.resolve("logs").resolve(runName(t, s) + "-worker" + w + ".log")));
        }
    }

    /**
     * After a storm's warm-up: waits until the server used under {@link Settings#QUIET_CPU_FRACTION} of a core
     * over a second (its compilers and collectors done with the warm-up), at most the quiet wait. Returns the
     * seconds waited, or -1 when it did not go quiet.
     */
    private double awaitQuiet(ServerUnderTest server) throws InterruptedException {
        return awaitQuiet(server::cpuSeconds, settings.quietWaitSeconds, 1000);
    }

    /**
     * Reads {@code cpuSeconds} every {@code stepMillis} until one step used less than
     * {@link Settings#QUIET_CPU_FRACTION} of a core; returns the seconds that took, or -1 when the process
     * was still busy after {@code waitSeconds}.
     */
    static double awaitQuiet(java.util.function.DoubleSupplier cpuSeconds, double waitSeconds, long stepMillis)
            throws InterruptedException {
        long t0 = System.nanoTime();
        long end = t0 + (long) (waitSeconds * 1e9);
        double last = cpuSeconds.getAsDouble();
        while (System.nanoTime() < end) {
            Thread.sleep(stepMillis);
            double now = cpuSeconds.getAsDouble();
            if (now - last < Settings.QUIET_CPU_FRACTION * stepMillis / 1000.0) {
                return (System.nanoTime() - t0) / 1e9;
            }
            last = now;
        }
        return -1;
    }

    /** Waits for every worker's READY; returns the connections they opened and those that failed. */
    private int[] awaitReady(List<WorkerHandle> workers) throws InterruptedException {
        int[] sum = new int[2];
        for (WorkerHandle h : workers) {
            String[] ready = h.await("READY", (settings.openTimeoutSeconds * 2 + 30) * 1000L).split(" ");
            sum[0] += Integer.parseInt(ready[1]);
            sum[1] += Integer.parseInt(ready[2]);
        }
        return sum;
    }

    static final String WARM_UP = "SWITCHBOARD_WARM_UP_SESSIONS";
    private static final java.util.regex.Pattern WARMING_UP = java.util.regex.Pattern.compile("warming up: (\\d+) sessions");

    /** The sessions of the last warm-up a node's log announces ("warming up: N sessions ..."), or "0" when none. */
    static String warmUpSessions(String serverLog) {
        java.util.regex.Matcher m = WARMING_UP.matcher(serverLog);
        String n = "0";
        while (m.find()) {
            n = m.group(1);
        }
        return n;
    }

    /**
     * What a server's process gets added to its environment. In idle, Switchboard starts without its warm-up
     * (unless {@value #WARM_UP} is set for the run): the warm-up grows the heap, the code cache and the buffer
     * pools, and connections made afterwards reuse that memory, so the RSS growth would come out below the
     * heap a connection holds and no longer say what a connection costs.
     */
    static Map<String, String> serverEnvironment(Target t, Scenario s, Map<String, String> given) {
        return t.isSwitchboard() && s == Scenario.IDLE && !given.containsKey(WARM_UP) ? Map.of(WARM_UP, "0") : Map.of();
    }

    private ScenarioRun runOne(Target t, Scenario s, ScenarioRun run, List<WorkerSpec> specs, int port, Path serverLog,
                               List<WorkerHandle> early, int[] earlyReady) throws Exception {
        Map<String, String> env = serverEnvironment(t, s, System.getenv());
        try (ServerUnderTest server = ServerUnderTest.start(t, launcher.serverCommand(t, port, SECRET), env, port, serverLog)) {
            if (t.isSwitchboard()) {
                run.warmUpSessions = warmUpSessions(Files.readString(serverLog)); // what the node did, whatever asked it
            }
            if (s == Scenario.IDLE) {
                Thread.sleep((long) (Math.min(1, settings.idleSettleSeconds) * 1000));
                run.rssBeforeBytes = server.residentBytes();
                if (t.isSwitchboard()) {
                    run.heapBeforeBytes = JvmHeap.usedAfterGc(server.pid());
                }
            }
            List<WorkerHandle> workers = new ArrayList<>(early);
            early.clear();
            try {
                if (workers.isEmpty()) {
                    startWorkers(specs, t, s, workers);
                }
                int[] ready = earlyReady != null ? earlyReady : awaitReady(workers);
                int connected = ready[0];
                int failed = ready[1];
                boolean storm = s == Scenario.CONNECT || s.fillsOneChannel() || s == Scenario.COLD;
                if (!storm) {
                    say(String.format("      %d connections subscribed, %d failed", connected, failed));
                }
                if (s == Scenario.CAPACITY || s == Scenario.COLD) {
                    run.connected = connected;
                    run.failed = failed;
                    try {
                        if (s == Scenario.CAPACITY) {
                            new CapacitySteps(settings, this::say).run(server, workers, run);
                        } else {
                            run.connected = 0; // counted by the storm
                            new ColdStart(settings, this::say).run(server, workers, run);
                        }
                    } finally {
                        for (WorkerHandle h : workers) {
                            h.send("END");
                        }
                    }
                    if (!server.alive()) {
                        say("      the server died; see " + serverLog);
                    }
                    return finish(run);
                }
                if (s == Scenario.IDLE) {
                    Worker.sleepUntil(System.nanoTime() + (long) (settings.idleSettleSeconds * 1e9));
                    run.rssAfterBytes = server.residentBytes();
                    if (t.isSwitchboard()) {
                        run.heapAfterBytes = JvmHeap.usedAfterGc(server.pid());
                        // what the connections are made of, for the docs and for whoever optimises next
                        Files.writeString(out.resolve("logs").resolve(runName(t, s) + "-class-histogram.txt"),
                                JvmHeap.classHistogram(server.pid(), 100));
                    }
                }
                if (s == Scenario.CONNECT || s.fillsOneChannel()) {
                    run.quietAfterSeconds = awaitQuiet(server);
                    say(run.quietAfterSeconds < 0
                            ? String.format("      the server was still busy %.0f s after the warm-up; storming anyway", settings.quietWaitSeconds)
                            : String.format("      the server was quiet %.0f s after the warm-up", run.quietAfterSeconds));
                }
                boolean timed = s == Scenario.FANOUT || s == Scenario.ROOMS;
                long start = System.nanoTime() + 300_000_000L;
                long warmupEnd = start + (timed ? (long) (settings.warmupSeconds * 1e9) : 0);
                long end = warmupEnd + (timed ? (long) (settings.measureSeconds * 1e9) : 0);
                long drainEnd = end + (timed ? (long) (settings.drainSeconds * 1e9) : 0);
                double cpu0 = server.cpuSeconds();
                double sys0 = server.systemCpuSeconds();
                double[] machine0 = ProcStats.machineCpuSeconds();
                run.loadAverage = Files.readString(Path.of("/proc/loadavg")).trim();
                for (WorkerHandle h : workers) {
                    h.send("GO " + start + " " + warmupEnd + " " + end + " " + drainEnd);
                }
                if (timed) {
                    say(String.format("      publishing: %.0f s warm-up, %.0f s measured, %.0f s drain",
                            settings.warmupSeconds, settings.measureSeconds, settings.drainSeconds));
                    Worker.sleepUntil(warmupEnd);
                    cpu0 = server.cpuSeconds();
                    sys0 = server.systemCpuSeconds();
                    machine0 = ProcStats.machineCpuSeconds();
                    Worker.sleepUntil(drainEnd);
                }
                double cpuAtEnd = server.cpuSeconds();
                double sys1 = server.systemCpuSeconds();
                double[] machine1 = ProcStats.machineCpuSeconds();
                List<WorkerResult> results = new ArrayList<>();
                for (WorkerHandle h : workers) {
                    String line = h.await("RESULT ", (long) ((settings.openTimeoutSeconds + settings.warmupSeconds + settings.measureSeconds + settings.drainSeconds) * 1000) + 60_000);
                    results.add(Json.read(line.substring("RESULT ".length()), WorkerResult.class));
                }
                if (storm) {
                    cpuAtEnd = server.cpuSeconds();
                    sys1 = server.systemCpuSeconds();
                    machine1 = ProcStats.machineCpuSeconds();
                }
                for (WorkerResult r : results) {
                    run.connected += r.connected;
                    run.failed += r.failed;
                    if (run.firstFailure == null) {
                        run.firstFailure = r.firstFailure;
                    }
                }
                if (s != Scenario.IDLE) {
                    double busy = machine1[0] - machine0[0];
                    double generators = results.stream().mapToDouble(r -> r.cpuSeconds).sum();
                    run.machineBusyPercent = 100 * busy / Math.max(1e-9, machine1[1] - machine0[1]);
                    run.otherCpuSeconds = busy - (cpuAtEnd - cpu0) - generators;
                    run.serverSystemCpuPercent = cpuAtEnd > cpu0 ? 100 * (sys1 - sys0) / (cpuAtEnd - cpu0) : Double.NaN;
                }
                switch (s) {
                    case IDLE -> {
                        run.rssPerConnectionBytes = Accounting.perConnection(run.rssBeforeBytes, run.rssAfterBytes, run.connected);
                        if (run.heapAfterBytes >= 0) {
                            run.heapPerConnectionBytes = Accounting.perConnection(run.heapBeforeBytes, run.heapAfterBytes, run.connected);
                        }
                        say(String.format("      RSS %.1f -> %.1f MiB: %.1f KiB per connection",
                                run.rssBeforeBytes / 1048576.0, run.rssAfterBytes / 1048576.0, run.rssPerConnectionBytes / 1024));
                    }
                    case FANOUT, ROOMS -> {
                        Accounting.deliveries(run, s, results, settings.measureSeconds, cpuAtEnd - cpu0);
                        say(String.format("      %.0f deliveries/s, p99 %.2f ms, lost %d of %d, server CPU %.1f s per M deliveries; machine %.0f%% busy",
                                run.deliveriesPerSecond, run.p99Ms, run.lost, run.expected, run.serverCpuPerMillion, run.machineBusyPercent));
                    }
                    case CONNECT -> {
                        Accounting.connects(run, results, cpuAtEnd - cpu0);
                        say(String.format("      %d connected (%d failed): %.0f per second, p99 %.1f ms to subscribed",
                                run.connected, run.failed, run.connectsPerSecond, run.connectP99Ms));
                    }
                    case PRESENCE, PRESENCE_OFF -> {
                        Accounting.connects(run, results, cpuAtEnd - cpu0);
                        Accounting.presence(run, results);
                        say(String.format("      %d joined (%d failed): %.0f per second, p99 %.1f ms to subscribed, server CPU %.3f ms per join, "
                                        + "%.1f presence pushes per member, %d of them ended on the exact count; machine %.0f%% busy",
                                run.connected, run.failed, run.connectsPerSecond, run.connectP99Ms,
                                run.connected == 0 ? Double.NaN : 1000 * run.serverCpuSeconds / run.connected,
                                run.presencePushesPerClient, run.exactFinal, run.machineBusyPercent));
                    }
                }
                if (!server.alive()) {
                    say("      the server died; see " + serverLog);
                }
            } finally {
                for (WorkerHandle h : workers) {
                    h.close();
                }
            }
        }
        return finish(run);
    }

    private ScenarioRun finish(ScenarioRun run) {
        if (run.failed > 0) {
            say("      first failure: " + run.firstFailure);
        }
        return run;
    }

    /** Splits a scenario over the generator processes; rooms are never split between two of them. */
    List<WorkerSpec> split(Scenario s, Target t, int port) {
        int workers = Math.max(1, settings.workers);
        int base = (runIndex++ * 8) % 240;
        List<WorkerSpec> specs = new ArrayList<>();
        Function<Integer, WorkerSpec> blank = w -> {
            WorkerSpec spec = WorkerSpec.of(s, t, port, SECRET);
            spec.payloadBytes = settings.payloadBytes;
            spec.sourceBase = base;
            spec.openTimeoutSeconds = settings.openTimeoutSeconds;
            return spec;
        };
        switch (s) {
            case IDLE, FANOUT, CONNECT, PRESENCE, PRESENCE_OFF, CAPACITY, COLD -> {
                int n = s == Scenario.IDLE ? settings.idleConnections
                        : s.fansOut() ? settings.fanoutSubscribers
                        : s.fillsOneChannel() ? settings.presenceMembers : settings.connectConnections;
                int offset = 0;
                for (int w = 0; w < workers; w++) {
                    WorkerSpec spec = blank.apply(w);
                    spec.conns = n / workers + (w < n % workers ? 1 : 0);
                    spec.connOffset = offset;
                    offset += spec.conns;
                    spec.channels = settings.idleChannels;
                    if (s.fansOut() && w == 0) {
                        spec.publisher = true;
                        spec.publishRate = settings.fanoutRate;
                    }
                    if (s == Scenario.CONNECT || s == Scenario.COLD) {
                        spec.concurrency = Math.max(1, settings.connectConcurrency / workers);
                    }
                    spec.warmupRounds = s == Scenario.CONNECT ? Math.max(1, settings.connectWarmupRounds) : 1;
                    if (s.fillsOneChannel()) {
                        spec.concurrency = Math.max(1, settings.presenceConcurrency / workers);
                        spec.expectedMembers = n;
                    }
                    specs.add(spec);
                }
            }
            case ROOMS -> {
                int roomOffset = 0;
                for (int w = 0; w < workers; w++) {
                    WorkerSpec spec = blank.apply(w);
                    int rooms = settings.rooms / workers + (w < settings.rooms % workers ? 1 : 0);
                    spec.roomSize = settings.roomSize;
                    spec.conns = rooms * settings.roomSize;
                    spec.connOffset = roomOffset * settings.roomSize;
                    roomOffset += rooms;
                    spec.publishRate = spec.conns * settings.roomsRatePerMember;
                    specs.add(spec);
                }
            }
        }
        return specs;
    }
}
