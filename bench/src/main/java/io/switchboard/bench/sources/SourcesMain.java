package io.switchboard.bench.sources;

import io.switchboard.bench.Launchers;
import io.switchboard.bench.ProcStats;
import io.switchboard.testing.KafkaProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench/sources}: how many publications per second one node makes from each of its sources that
 * are not WebSocket clients (docs/consumers.md). For each source and engine, a backlog of rows (a
 * PostgreSQL outbox table in the machine's database) or records (a Kafka topic on a broker of the run's
 * own) is written first; then a node process is started on it and the run times, from its
 * {@code /api/stats}, how fast the backlog turns into acknowledged publications, and the node's CPU time
 * per publication meanwhile.
 */
@Command(name = "bench/sources", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Publications per second from a PostgreSQL outbox and from Kafka, one node, memory and Redis engines.")
public final class SourcesMain implements Callable<Integer> {

    @Option(names = "--root", defaultValue = ".", description = "The repository root (holds ./switchboard).")
    Path root;
    @Option(names = "--out", description = "Output directory (default: bench/results/sources-<date>).")
    Path out;
    @Option(names = "--sources", split = ",", defaultValue = "outbox,kafka", description = "outbox, kafka or both (default: both).")
    List<String> sources;
    @Option(names = "--engines", split = ",", defaultValue = "memory,redis", description = "memory, redis or both (default: both); "
            + "redis is a redis-server of the run's own.")
    List<String> engines;
    @Option(names = "--rows", defaultValue = "50000", description = "Rows or records in the backlog (default: 50000).")
    int rows;
    @Option(names = "--channels", defaultValue = "100", description = "Channels the backlog is spread over, chat:src-N (default: 100).")
    int channels;
    @Option(names = "--partitions", defaultValue = "4", description = "Outbox partitions and Kafka topic partitions (default: 4).")
    int partitions;
    @Option(names = "--batch-size", defaultValue = "500", description = "Outbox rows per transaction (default: 500).")
    int batchSize;
    @Option(names = "--kafka-classpath", description = "File holding the class path of the Kafka server jars (bench/sources writes it).")
    Path kafkaClasspath;
    @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test", description = "PostgreSQL for the outbox.")
    String pgUrl;
    @Option(names = "--pg-user", defaultValue = "postgres", description = "Its user.")
    String pgUser;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SourcesMain()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("bench/sources: the run could not be done: " + e);
            e.printStackTrace(cmd.getErr());
            return 2;
        }).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path rootDir = root.toAbsolutePath().normalize();
        Path dir = out != null ? out : rootDir.resolve("bench/results/sources-" + LocalDate.now());
        Files.createDirectories(dir);
        List<String> launcher = this.launcher != null ? this.launcher : List.of(rootDir.resolve("switchboard").toString());
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        KafkaProcess kafka = null;
        try {
            for (String source : sources) {
                if (source.equals("kafka") && kafka == null) {
                    if (kafkaClassPath == null && kafkaClasspath == null) {
                        throw new IllegalArgumentException("--kafka-classpath is required for the kafka source (bench/sources writes it)");
                    }
                    System.err.println("sources: starting a Kafka broker of the run's own...");
                    kafka = KafkaProcess.start(kafkaClassPath != null ? kafkaClassPath : Files.readString(kafkaClasspath).trim());
                }
                for (String engine : engines) {
                    Backlog backlog = switch (source) {
                        case "outbox" -> new OutboxBacklog(pgUrl, pgUser, partitions, batchSize);
                        case "kafka" -> new KafkaBacklog(kafka.bootstrap(), partitions);
                        default -> throw new IllegalArgumentException("unknown source " + source + " (outbox or kafka)");
                    };
                    try (backlog) {
                        SourceRun run = new SourceRun(launcher, dir, source, engine, rows, channels, backlog);
                        SourceRun.Result r = run.run();
                        System.err.println("sources: " + r.line());
                        results.add(r);
                    }
                }
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
        StringBuilder md = new StringBuilder("# Publications per second from each source\n\n");
        List<String> args = new ArrayList<>(spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs());
        for (String own : List.of("--root", "--kafka-classpath")) { // the script's own
            int i = args.indexOf(own);
            if (i >= 0) {
                args.subList(i, Math.min(i + 2, args.size())).clear();
            }
        }
        md.append("Command: `bench/sources").append(args.isEmpty() ? "" : " " + String.join(" ", args)).append("`\n\n");
        md.append("Started ").append(ZonedDateTime.now()).append("; load average at the start: ").append(load)
                .append("; ").append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n");
        md.append(String.format(Locale.ROOT, "A backlog of %,d rows or records over %d channels (`chat:src-N`, which keeps history), "
                + "%d partitions, written before the node starts; timed from the node's first publication to its last.%n%n",
                rows, channels, partitions));
        md.append("| source | engine | publications | seconds | publications/s | node CPU ms per 1,000 | moved aside | errors |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (SourceRun.Result r : results) {
            md.append(r.row()).append('\n');
        }
        Files.writeString(dir.resolve("results.md"), md.toString(), StandardCharsets.UTF_8);
        System.out.print(md);
        return 0;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** How to run a node (default: the repository's ./switchboard); the smoke test runs java on its class path. */
    List<String> launcher;
    /** The Kafka server's class path itself, instead of {@link #kafkaClasspath}'s file (the smoke test's own). */
    String kafkaClassPath;
    /** What the run measured, in order. */
    final List<SourceRun.Result> results = new ArrayList<>();

    /** The node's command line: the comparison's (limits off) plus the run's options. */
    static List<String> nodeCommand(List<String> launcher, int port, String secret) {
        return new ArrayList<>(Launchers.switchboard(launcher, port, secret));
    }

    static double cpu(long pid) {
        return ProcStats.cpuSeconds(pid);
    }
}
