package io.switchboard.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "switchboard-bench", mixinStandardHelpOptions = true,
        subcommands = {BenchMain.CompareCommand.class, BenchMain.WorkerCommand.class},
        description = "Load generator and side-by-side comparison of Switchboard with ws and Socket.IO.")
public final class BenchMain implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Run every scenario against Switchboard, ws and Socket.IO; write the table and charts.")
    static final class CompareCommand implements Callable<Integer> {
        @Option(names = "--root", defaultValue = ".", description = "The repository root (holds ./switchboard and bench/peers).")
        Path root;
        @Option(names = "--out", description = "Output directory (default: bench/results/<date>).")
        Path out;
        @Option(names = "--targets", split = ",", defaultValue = "switchboard,ws,socketio", description = "Servers to run (default: ${DEFAULT-VALUE}).")
        List<String> targets;
        @Option(names = "--scenarios", split = ",", defaultValue = "idle,fanout,rooms,connect,presence,presence-off,capacity,cold",
                description = "Scenarios to run (default: ${DEFAULT-VALUE}).")
        List<String> scenarios;
        @Option(names = "--idle-connections") Integer idleConnections;
        @Option(names = "--idle-channels") Integer idleChannels;
        @Option(names = "--fanout-subscribers") Integer fanoutSubscribers;
        @Option(names = "--fanout-rate", description = "Messages per second from the one publisher.") Double fanoutRate;
        @Option(names = "--rooms") Integer rooms;
        @Option(names = "--room-size") Integer roomSize;
        @Option(names = "--rooms-rate", description = "Messages per second per room member.") Double roomsRate;
        @Option(names = "--connect-connections") Integer connectConnections;
        @Option(names = "--connect-concurrency") Integer connectConcurrency;
        @Option(names = "--connect-warmup-rounds", description = "connect: rounds of warm-up connections (half the storm each, "
                + "at most 2,500 per generator; opened, then closed) before the storm (default: 16).") Integer connectWarmupRounds;
        @Option(names = "--quiet-wait", description = "connect, presence, presence-off: longest wait in seconds after the warm-up "
                + "for the server to go quiet before the storm (default: 20).") Double quietWait;
        @Option(names = "--presence-members", description = "Members of the one channel in presence and presence-off.") Integer presenceMembers;
        @Option(names = "--presence-concurrency", description = "Joins in flight at once in presence and presence-off.") Integer presenceConcurrency;
        @Option(names = "--capacity-rates", split = ",", description = "capacity: the publisher's rates in msg/s, one step each, "
                + "over the --fanout-subscribers (default: 10,20,40,80).") List<Double> capacityRates;
        @Option(names = "--capacity-warmup", description = "capacity: seconds of warm-up of each step; the first step, the server's "
                + "first fan-out, warms up for --warmup when that is longer (default: 3).") Double capacityWarmup;
        @Option(names = "--capacity-measure", description = "capacity: seconds measured in each step (default: 10).") Double capacityMeasure;
        @Option(names = "--capacity-drain", description = "capacity: seconds after each step's window for late deliveries (default: 5).") Double capacityDrain;
        @Option(names = "--capacity-p99-ms", description = "capacity: a step is sustained with nothing lost and p99 below this (default: 250).")
        Double capacityP99;
        @Option(names = "--capacity-keep-going", description = "capacity: run every step even after one was not sustained.")
        boolean capacityKeepGoing;
        @Option(names = "--cold-measure", description = "cold: seconds of fan-out measured right after the storm, with no warm-up (default: 30).")
        Double coldMeasure;
        @Option(names = "--warmup", description = "Seconds of warm-up before the measured window (fanout, rooms; capacity's first step).") Double warmup;
        @Option(names = "--measure", description = "Seconds measured.") Double measure;
        @Option(names = "--drain", description = "Seconds allowed after the window for late deliveries (fanout, rooms, cold).") Double drain;
        @Option(names = "--repeat", description = "idle, fanout, rooms, connect: runs per server, back to back, alternating which "
                + "server goes first; the targets take medians (default: 1).") Integer repeat;
        @Option(names = "--workers", description = "Generator processes per scenario.") Integer workers;
        @Option(names = "--payload-bytes", description = "Size of each published payload, about (default: 100).") Integer payloadBytes;
        @Option(names = "--switchboard-args", defaultValue = "", description = "Extra options for 'switchboard serve', e.g. \"--io-threads 1\".")
        String switchboardArgs;
        @Option(names = "--scale", description = "Instead of the scenarios: many connections on several nodes sharing one Redis "
                + "(bench/compare --scale; see docs/capacity.md).")
        boolean scale;
        @Option(names = "--scale-nodes", defaultValue = "6", description = "--scale: node processes (default: ${DEFAULT-VALUE}).")
        int scaleNodes;
        @Option(names = "--scale-connections-per-node", defaultValue = "17000",
                description = "--scale: connections per node, at most about 18,000 here (default: ${DEFAULT-VALUE}).")
        int scalePerNode;
        @Option(names = "--scale-idle-after", defaultValue = "5",
                description = "Seconds between the last connection and the idle window (--scale).")
        double scaleIdleAfter;

        @Option(names = "--scale-rate", defaultValue = "0.2",
                description = "--scale: publications per second to all connections (default: ${DEFAULT-VALUE}, one every 5 s).")
        double scaleRate;
        @Option(names = "--switchboard-launcher", description = "Program run instead of ./switchboard for the Switchboard target "
                + "(bench/embedded-node: the node embedded in the Spring Boot example).")
        Path switchboardLauncher;
        @Option(names = "--worker-java-opts", defaultValue = "-Xmx1g -XX:+UseParallelGC", description = "JVM options of the generator processes (default: ${DEFAULT-VALUE}).")
        String workerJavaOpts;

        @Override
        public Integer call() throws Exception {
            Settings s = new Settings();
            if (idleConnections != null) s.idleConnections = idleConnections;
            if (idleChannels != null) s.idleChannels = idleChannels;
            if (fanoutSubscribers != null) s.fanoutSubscribers = fanoutSubscribers;
            if (fanoutRate != null) s.fanoutRate = fanoutRate;
            if (rooms != null) s.rooms = rooms;
            if (roomSize != null) s.roomSize = roomSize;
            if (roomsRate != null) s.roomsRatePerMember = roomsRate;
            if (connectConnections != null) s.connectConnections = connectConnections;
            if (connectConcurrency != null) s.connectConcurrency = connectConcurrency;
            if (connectWarmupRounds != null) s.connectWarmupRounds = connectWarmupRounds;
            if (quietWait != null) s.quietWaitSeconds = quietWait;
            if (presenceMembers != null) s.presenceMembers = presenceMembers;
            if (presenceConcurrency != null) s.presenceConcurrency = presenceConcurrency;
            if (capacityRates != null) {
                s.capacityRates = CapacitySteps.rates(capacityRates.stream().mapToDouble(Double::doubleValue).toArray());
                if (s.capacityRates.length == 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--capacity-rates needs at least one rate above 0");
                }
            }
            if (capacityWarmup != null) s.capacityWarmupSeconds = capacityWarmup;
            if (capacityMeasure != null) s.capacityMeasureSeconds = capacityMeasure;
            if (capacityDrain != null) s.capacityDrainSeconds = capacityDrain;
            if (capacityP99 != null) s.capacityP99LimitMs = capacityP99;
            s.capacityKeepGoing = capacityKeepGoing;
            if (coldMeasure != null) s.coldMeasureSeconds = coldMeasure;
            if (warmup != null) s.warmupSeconds = warmup;
            if (measure != null) s.measureSeconds = measure;
            if (drain != null) s.drainSeconds = drain;
            if (workers != null) s.workers = workers;
            if (repeat != null) {
                if (repeat < 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--repeat needs 1 or more");
                }
                s.repeat = repeat;
            }
            if (payloadBytes != null) s.payloadBytes = payloadBytes;
            Path rootDir = root.toAbsolutePath().normalize();
            Path dir = out != null ? out : rootDir.resolve("bench/results").resolve(LocalDate.now().toString());
            List<Target> ts = targets.stream().map(Target::of).toList();
            List<Scenario> ss = scenarios.stream().map(Scenario::of).toList();
            Path benchJar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> workerJava = new ArrayList<>();
            workerJava.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            workerJava.addAll(Arrays.stream(workerJavaOpts.trim().split("\\s+")).filter(a -> !a.isEmpty()).toList());
            workerJava.addAll(List.of("-cp", benchJar.toString(), BenchMain.class.getName()));
            Compare.Launcher launcher = new Compare.Launcher() {
                @Override
                public List<String> serverCommand(Target t, int port, String secret) {
                    Path program = switchboardLauncher != null ? switchboardLauncher.toAbsolutePath() : rootDir.resolve("switchboard");
                    List<String> cmd = new ArrayList<>(Launchers.command(t, rootDir, List.of(program.toString()), port, secret));
                    if (t.isSwitchboard() && !switchboardArgs.isBlank()) {
                        cmd.addAll(Arrays.asList(switchboardArgs.trim().split("\\s+")));
                    }
                    return cmd;
                }

                @Override
                public WorkerHandle worker(WorkerSpec spec, Path log) throws java.io.IOException {
                    return WorkerHandle.process(spec, workerJava, log);
                }
            };
            if (scale) {
                Scale.Options so = new Scale.Options();
                so.nodes = scaleNodes;
                so.perNode = scalePerNode;
                so.rate = scaleRate;
                so.idleAfterSeconds = scaleIdleAfter;
                if (measure != null) so.measureSeconds = measure;
                String report = new Scale(so, launcher, dir).run();
                System.out.print(report);
                System.err.println("switchboard-bench: done; see " + dir.resolve("scale.md"));
                return 0;
            }
            Map<String, String> env = Launchers.environment(rootDir);
            env.put("command", "bench/compare" + (commandLineArgs().isEmpty() ? "" : " " + commandLineArgs()));
            System.err.println("switchboard-bench: writing to " + dir);
            List<ScenarioRun> runs = new Compare(s, launcher, dir, System.err, ts, ss).run();
            env.put("load average at the end", Files.readString(Path.of("/proc/loadavg")).trim());
            new Report(runs, ts, s, env).write(dir);
            System.err.println("switchboard-bench: done; see " + dir.resolve("results.md"));
            System.out.println(Files.readString(dir.resolve("results.md")));
            return 0;
        }

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        private String commandLineArgs() {
            List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
            args.remove("compare");
            int root = args.indexOf("--root");
            if (root >= 0 && root + 1 < args.size()) {
                args.remove(root + 1);
                args.remove(root);
            }
            return String.join(" ", args);
        }
    }

    @Command(name = "worker", hidden = true, description = "One generator process (started by compare).")
    static final class WorkerCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "The WorkerSpec as JSON.")
        String specJson;

        @Override
        public Integer call() throws Exception {
            WorkerSpec spec = Json.read(specJson, WorkerSpec.class);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            new Worker(spec).run(() -> {
                try {
                    return in.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            }, line -> {
                System.out.println(line);
                System.out.flush();
            });
            return 0;
        }
    }

    static String now() {
        return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private BenchMain() {
    }

    static LinkedHashMap<String, String> newEnv() {
        return new LinkedHashMap<>();
    }
}
