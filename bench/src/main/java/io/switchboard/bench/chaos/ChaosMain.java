package io.switchboard.bench.chaos;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench/chaos}: three nodes on their own Redis (and NATS), raw-protocol subscribers and publishers,
 * nodes and servers killed, frozen and restarted, then every delivery and every acknowledged publish
 * accounted for. Exit code 0 when nothing was lost, stored twice, delivered twice, skipped without notice
 * or reordered; 1 when something was; 2 when the run itself could not be done.
 */
@Command(name = "bench/chaos", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Kill, freeze and restart nodes, Redis and NATS under traffic; count what was lost, doubled, skipped or reordered.")
public final class ChaosMain implements Callable<Integer> {

    @Option(names = "--root", defaultValue = ".", description = "The repository root (holds ./switchboard).")
    Path root;
    @Option(names = "--out", description = "Output directory (default: bench/results/chaos-<date>).")
    Path out;
    @Option(names = "--quick", description = "About 20 s per mode, each fault once.")
    boolean quick;
    @Option(names = "--modes", split = ",", description = "redis (Redis pub/sub), nats, or both (default: redis,nats).")
    List<String> modes;
    @Option(names = "--duration", description = "Seconds of publishing and faults per mode (default: 60; --quick: 20).")
    Double duration;
    @Option(names = "--subscribers", description = "Raw-protocol subscribers (default: 30).")
    Integer subscribers;
    @Option(names = "--channels", description = "Channels of the chaos namespace (default: 5).")
    Integer channels;
    @Option(names = "--publishers", description = "Publishing connections (default: 3).")
    Integer publishers;
    @Option(names = "--rate", description = "Publications per second in all (default: 120).")
    Double rate;
    @Option(names = "--drop-every", description = "Mean seconds between a subscriber's own drops (default: 10; --quick: 5).")
    Double dropEvery;
    @Option(names = "--faults", split = ",", description = "Faults spread over the run, in order: kill, stop, redis, nats "
            + "(default: kill,stop,redis,nats,kill; --quick: kill,stop,redis,nats). nats is skipped in the redis mode.")
    List<String> faults;
    @Option(names = "--seed", description = "Seed of the random drops (default: from the clock; printed in the report).")
    Long seed;
    @Option(names = "--node-args", defaultValue = "", description = "Extra options for every node's 'switchboard serve'.")
    String nodeArgs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosMain()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("bench/chaos: the run could not be done: " + e);
            e.printStackTrace(cmd.getErr());
            return 2;
        }).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ChaosSettings s = quick ? ChaosSettings.quick() : new ChaosSettings();
        Path rootDir = root.toAbsolutePath().normalize();
        s.launcher = List.of(rootDir.resolve("switchboard").toString());
        if (modes != null) s.modes = modes;
        if (duration != null) s.durationSeconds = duration;
        if (subscribers != null) s.subscribers = subscribers;
        if (channels != null) s.channels = channels;
        if (publishers != null) s.publishers = publishers;
        if (rate != null) s.rate = rate;
        if (dropEvery != null) s.dropEverySeconds = dropEvery;
        if (faults != null) s.faults = faults;
        if (seed != null) s.seed = seed;
        s.nodeArgs = Arrays.stream(nodeArgs.trim().split("\\s+")).filter(a -> !a.isEmpty()).toList();
        Path dir = out != null ? out : rootDir.resolve("bench/results").resolve("chaos-" + LocalDate.now());
        Map<String, String> env = environment(rootDir);
        env.put("command", ("bench/chaos " + String.join(" ", spec.commandLine().getParseResult().originalArgs().stream()
                .filter(a -> !a.equals("--root") && !a.equals(rootDir.toString()) && !a.equals(root.toString())).toList())).trim());
        List<ModeResult> results = run(s, dir, env);
        return results.stream().anyMatch(ModeResult::failed) ? 1 : 0;
    }

    /** Runs every mode, writes {@code dir/results.md} (logs under {@code dir/logs}) and prints the markdown. */
    public static List<ModeResult> run(ChaosSettings s, Path dir, Map<String, String> env) throws Exception {
        List<ModeResult> results = new ArrayList<>();
        for (String mode : s.modes) {
            results.add(new ChaosRun(s, mode, dir.resolve("logs"), System.err).run());
        }
        String md = ChaosReport.markdown(results, s, env);
        Files.writeString(dir.resolve("results.md"), md, StandardCharsets.UTF_8);
        System.out.println(md);
        System.err.println("bench/chaos: written to " + dir.resolve("results.md"));
        return results;
    }

    static Map<String, String> environment(Path root) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("started", ZonedDateTime.now().toString());
        env.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("redis-server", firstLine("redis-server", "--version"));
        env.put("nats-server", firstLine(Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server" : "nats-server", "--version"));
        env.put("git commit", firstLine("git", "-C", root.toString(), "rev-parse", "--short", "HEAD"));
        return env;
    }

    private static String firstLine(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return text.isEmpty() ? "unknown" : text.lines().findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
