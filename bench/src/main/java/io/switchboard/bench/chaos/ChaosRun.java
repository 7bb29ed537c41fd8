package io.switchboard.bench.chaos;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One mode of the chaos run: its own Redis (and NATS), three nodes, the subscribers and publishers, the
 * fault schedule, then the settling, the history read and the tally. Faults run on the calling thread;
 * all clients run on one client thread, so their state needs no locks.
 */
public final class ChaosRun {

    static final String SECRET = "switchboard-chaos-secret-0123456789abcdef";
    static final String NAMESPACE = "chaos";

    private final ChaosSettings s;
    private final String mode;
    private final Path logDir;
    private final PrintStream progress;
    private long t0;

    public ChaosRun(ChaosSettings s, String mode, Path logDir, PrintStream progress) {
        if (!mode.equals("redis") && !mode.equals("nats")) {
            throw new IllegalArgumentException("mode must be redis or nats, not " + mode);
        }
        this.s = s;
        this.mode = mode;
        this.logDir = logDir;
        this.progress = progress;
    }

    public ModeResult run() throws Exception {
        Files.createDirectories(logDir);
        try (var old = Files.list(logDir)) { // logs are appended to (a restarted node keeps its file): start afresh
            for (Path f : old.filter(f -> f.getFileName().toString().startsWith(mode + "-")).toList()) {
                Files.delete(f);
            }
        }
        Path tmp = Files.createTempDirectory("switchboard-chaos");
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chaos-clients");
            t.setDaemon(true);
            return t;
        });
        try (Backend redis = Backend.redis(Files.createDirectories(tmp.resolve("redis")), logDir.resolve(mode + "-redis.log"));
             Backend nats = mode.equals("nats") ? Backend.nats(logDir.resolve(mode + "-nats.log")) : null) {
            redis.start();
            if (nats != null) {
                nats.start();
            }
            Path config = tmp.resolve("chaos.yaml");
            Files.writeString(config, "presence-ttl: " + s.presenceTtlMillis + "ms\nnamespaces:\n  " + NAMESPACE + ":\n"
                    + "    history-size: 1000000\n    history-ttl: 1h\n    presence: true\n    join-leave: true\n"
                    // one presenceUpdate per change: a blink (offline, then online again) must not cancel out in a window
                    + "    presence-window: 0\n");
            List<String> extra = new ArrayList<>(List.of("--config", config.toString(), "--engine", "redis",
                    "--redis-url", redis.url(), "--allow-anonymous"));
            if (nats != null) {
                extra.addAll(List.of("--broker", "nats", "--nats-url", nats.url()));
            }
            extra.addAll(s.nodeArgs);
            try (Nodes nodes = new Nodes(s.nodes, s.launcher, SECRET, extra, logDir, mode)) {
                say("starting Redis" + (nats != null ? ", NATS" : "") + " and " + s.nodes + " nodes");
                nodes.startAll();
                return drive(loop, nodes, redis, nats);
            }
        } finally {
            loop.shutdownNow();
            try (var files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private ModeResult drive(ScheduledExecutorService loop, Nodes nodes, Backend redis, Backend nats) throws Exception {
        Clients clients = new Clients(loop, nodes.ports, s.seed, SECRET, s.presenceTtlMillis);
        List<String> channels = new ArrayList<>();
        for (int c = 0; c < s.channels; c++) {
            channels.add(NAMESPACE + ":c" + c);
        }
        List<ChaosSubscriber> subs = new ArrayList<>();
        List<ChaosPublisher> pubs = new ArrayList<>();
        on(loop, () -> {
            for (int i = 0; i < s.subscribers; i++) {
                ChaosSubscriber sub = new ChaosSubscriber(clients, "s" + i, channels.get(i % channels.size()), i % s.nodes);
                subs.add(sub);
                sub.start();
            }
            for (int k = 0; k < s.publishers; k++) {
                ChaosPublisher p = new ChaosPublisher(clients, "pub" + k, k % s.nodes);
                pubs.add(p);
                p.start();
            }
            return null;
        });
        waitFor(loop, 60, "every subscriber subscribed", () -> subs.stream().allMatch(ChaosSubscriber::subscribed));
        long[] ticks = {0};
        ScheduledFuture<?> liveness = loop.scheduleAtFixedRate(() -> {
            subs.forEach(ChaosSubscriber::tick);
            pubs.forEach(ChaosPublisher::tick);
        }, 1, 1, TimeUnit.SECONDS);
        ScheduledFuture<?> publishing = loop.scheduleAtFixedRate(() -> {
            long t = ticks[0]++;
            pubs.get((int) ((t / channels.size()) % pubs.size())).publish(channels.get((int) (t % channels.size())));
        }, 0, Math.max(1, (long) (1e9 / s.rate)), TimeUnit.NANOSECONDS);
        double dropChance = 0.1 / s.dropEverySeconds;
        ScheduledFuture<?> drops = loop.scheduleAtFixedRate(() -> subs.forEach(sub -> {
            if (clients.random.nextDouble() < dropChance) {
                sub.drop();
            }
        }), 100, 100, TimeUnit.MILLISECONDS);

        ModeResult r = new ModeResult();
        r.mode = mode.equals("redis") ? "Redis pub/sub" : "NATS";
        t0 = System.nanoTime();
        clients.presence.start();
        say("publishing at " + s.rate + "/s for " + s.durationSeconds + " s; faults: " + s.faults);
        List<String> faults = s.faults.stream().filter(f -> nats != null || !f.equals("nats")).toList();
        int victim = 1;
        for (int k = 0; k < faults.size(); k++) {
            sleepUntil(s.durationSeconds * (k + 1) / (faults.size() + 1));
            String f = faults.get(k);
            long started = System.nanoTime();
            String what = switch (f) {
                case "kill" -> {
                    int n = victim++ % s.nodes;
                    nodes.kill(n);
                    Thread.sleep(millis(s.nodeDownSeconds));
                    nodes.start(n);
                    yield "SIGKILL node " + n + ", started again";
                }
                case "stop" -> {
                    int n = victim++ % s.nodes;
                    nodes.freeze(n);
                    Thread.sleep(millis(s.frozenSeconds));
                    nodes.thaw(n);
                    yield "SIGSTOP node " + n + ", SIGCONT";
                }
                case "redis" -> {
                    redis.kill();
                    Thread.sleep(millis(s.redisDownSeconds));
                    redis.start();
                    yield "SIGKILL Redis, started again on its data";
                }
                case "nats" -> {
                    nats.kill();
                    Thread.sleep(millis(s.natsDownSeconds));
                    nats.start();
                    yield "SIGKILL NATS, started again";
                }
                default -> throw new IllegalArgumentException("unknown fault " + f + " (kill, stop, redis, nats)");
            };
            String line = String.format("at %.1f s: %s (%.1f s)", since(started, t0), what, since(System.nanoTime(), started));
            r.faults.add(line);
            say(line);
        }
        sleepUntil(s.durationSeconds);
        publishing.cancel(false);
        drops.cancel(false);
        r.seconds = since(System.nanoTime(), t0);
        say("publishing stopped; waiting for every publish to be acknowledged");
        waitFor(loop, s.settleSeconds, "every publish acknowledged", () -> pubs.stream().allMatch(ChaosPublisher::settled));
        Map<String, HistoryReader.Stream> streams = new HashMap<>();
        for (String ch : channels) {
            streams.put(ch, HistoryReader.read(clients, 0, ch));
        }
        say("history read; waiting for the subscribers to catch up");
        waitFor(loop, s.settleSeconds, "every subscriber caught up", () -> subs.stream().allMatch(sub -> {
            HistoryReader.Stream st = streams.get(sub.channel);
            return sub.subscribed() && st.epoch().equals(sub.check.epoch) && sub.check.position >= st.last();
        }));
        liveness.cancel(false);
        return on(loop, () -> {
            subs.forEach(ChaosSubscriber::stop);
            pubs.forEach(ChaosPublisher::stop);
            new Tally(r).count(subs, pubs, streams, clients);
            return r;
        });
    }

    private static long millis(double seconds) {
        return (long) (seconds * 1000);
    }

    private static double since(long now, long then) {
        return (now - then) / 1e9;
    }

    private void sleepUntil(double secondsIntoRun) throws InterruptedException {
        long wait = t0 + (long) (secondsIntoRun * 1e9) - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** Waits until {@code done} (checked on the client thread) holds; gives up quietly after {@code seconds}. */
    private void waitFor(ScheduledExecutorService loop, double seconds, String what, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!on(loop, done::getAsBoolean)) {
            if (System.nanoTime() > deadline) {
                say("not " + what + " after " + seconds + " s; counting as it stands");
                return;
            }
            Thread.sleep(100);
        }
    }

    private static <T> T on(ScheduledExecutorService loop, Callable<T> c) throws Exception {
        return loop.submit(c).get(30, TimeUnit.SECONDS);
    }

    private void say(String line) {
        progress.println("chaos [" + mode + "] " + line);
    }
}
