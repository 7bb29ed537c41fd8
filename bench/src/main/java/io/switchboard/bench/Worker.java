package io.switchboard.bench;

import io.switchboard.server.auth.TokenMinter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * One generator's part of a scenario, driven by the orchestrator through lines of text:
 * it opens its connections and says {@code READY}; it is sent
 * {@code GO <start> <warmupEnd> <end> <drainEnd>} (System.nanoTime values, which on Linux are
 * CLOCK_MONOTONIC and so shared by every process on the machine); it runs its load and answers
 * {@code RESULT <json>}. The measured window is [warmupEnd, end): only messages whose intended send
 * time falls in it are counted, received until drainEnd.
 *
 * <p>capacity and cold take several commands on the same connections, until {@code END} (or the end of
 * input): {@code GO <start> <warmupEnd> <end> <drainEnd> <rate>} runs one window at that publishing rate
 * and answers {@code RESULT <json>} for it alone; cold's generators open nothing before {@code STORM},
 * which opens every connection at once and answers {@code STORMED <connected> <failed>}.
 */
final class Worker {

    private final WorkerSpec spec;
    private final Target target;
    private final Scenario scenario;
    private final Deliveries deliveries = new Deliveries();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicLong unexpectedCloses = new AtomicLong();
    private final List<Conn> conns = new ArrayList<>();
    private Conn publisher;

    Worker(WorkerSpec spec) {
        this.spec = spec;
        this.target = Target.of(spec.target);
        this.scenario = Scenario.of(spec.scenario);
    }

    /** Runs the whole exchange: {@code in} gives the orchestrator's lines, {@code out} takes ours. */
    void run(Supplier<String> in, Consumer<String> out) throws Exception {
        TokenMinter minter = new TokenMinter(spec.secret.getBytes(StandardCharsets.UTF_8));
        String[] tokens = new String[spec.conns + 1];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = minter.mint("u" + (spec.connOffset + i), Duration.ofHours(3));
        }
        WorkerResult r = new WorkerResult();
        try (Generator gen = new Generator(spec.threads, spec.port)) {
            if (scenario == Scenario.CONNECT || scenario.fillsOneChannel()) {
                warmUp(gen, minter);
            } else if (scenario != Scenario.COLD) { // cold: not one connection before the storm
                openAll(gen, tokens, r);
                openPublisher(gen, tokens);
            }
            out.accept("READY " + r.connected + " " + r.failed);
            try {
                if (scenario == Scenario.CAPACITY || scenario == Scenario.COLD) {
                    commands(gen, tokens, r, in, out);
                } else {
                    once(gen, tokens, r, in.get());
                    out.accept("RESULT " + Json.write(r));
                }
            } finally {
                Generator.closeAll(conns);
                if (publisher != null) {
                    publisher.close();
                }
            }
        }
    }

    /** The fanout publisher (worker 0 only): one extra connection, subscribed to nothing. */
    private void openPublisher(Generator gen, String[] tokens) throws Exception {
        if (spec.publisher) {
            publisher = newConn(tokens[spec.conns], null);
            gen.open(publisher, spec.connOffset + spec.conns, spec.sourceBase).get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code GO <start> <warmupEnd> <end> <drainEnd> [rate]}: nanoTimes, and the rate (NaN when not given). */
    record Go(long start, long warmupEnd, long end, long drainEnd, double rate) {
        static Go parse(String line) {
            if (line == null || !line.startsWith("GO ")) {
                throw new IllegalStateException("expected GO, got " + line);
            }
            String[] f = line.split(" ");
            return new Go(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    f.length > 5 ? Double.parseDouble(f[5]) : Double.NaN);
        }

        String line() {
            return "GO " + start + " " + warmupEnd + " " + end + " " + drainEnd + (Double.isNaN(rate) ? "" : " " + rate);
        }
    }

    /** The scenarios with one GO and one RESULT. */
    private void once(Generator gen, String[] tokens, WorkerResult r, String goLine) throws Exception {
        Go g = Go.parse(goLine);
        deliveries.window(g.warmupEnd(), g.end());
        switch (scenario) {
            case IDLE -> { }
            case CONNECT -> storm(gen, tokens, r);
            case PRESENCE, PRESENCE_OFF -> {
                storm(gen, tokens, r);
                settle(r);
            }
            case FANOUT, ROOMS -> {
                List<Conn> pubs = scenario == Scenario.FANOUT ? publishers() : conns.stream().filter(Conn::isReady).toList();
                measure(gen, pubs, g, spec.publishRate, 0, r);
            }
            default -> throw new IllegalStateException(scenario + " takes several commands");
        }
        r.received = deliveries.received();
        r.outside = deliveries.outside();
        r.latency = Json.encode(deliveries.histogram());
        r.latencyBySecond = bySecond();
        r.serverErrors = serverErrors.get();
        r.unexpectedCloses = unexpectedCloses.get();
    }

    private List<String> bySecond() {
        return deliveries.bySecond().stream().map(h -> h == null ? null : Json.encode(h)).toList();
    }

    private List<Conn> publishers() {
        return publisher == null ? List.of() : List.of(publisher);
    }

    /**
     * capacity and cold: STORM (cold), then one GO per window on the same connections, each answered with
     * that window's figures alone, until END. A subscriber the server closed stays counted in
     * {@code connected}, so what it no longer receives is lost; {@code stillOpen} says how many are left.
     */
    private void commands(Generator gen, String[] tokens, WorkerResult r, Supplier<String> in, Consumer<String> out) throws Exception {
        long seq = 0;
        long errors0 = serverErrors.get();
        long closes0 = unexpectedCloses.get();
        for (String line = in.get(); line != null && !line.equals("END"); line = in.get()) {
            if (line.equals("STORM") && scenario == Scenario.COLD) {
                storm(gen, tokens, r);
                r.stormCpuSeconds = r.cpuSeconds;
                r.cpuSeconds = 0;
                openPublisher(gen, tokens);
                out.accept("STORMED " + r.connected + " " + r.failed);
                continue;
            }
            Go g = Go.parse(line);
            WorkerResult step = Json.MAPPER.convertValue(r, WorkerResult.class);
            deliveries.window(g.warmupEnd(), g.end());
            seq = measure(gen, publishers(), g, Double.isNaN(g.rate()) ? spec.publishRate : g.rate(), seq, step);
            step.received = deliveries.received();
            step.outside = deliveries.outside();
            step.latency = Json.encode(deliveries.histogram());
            step.latencyBySecond = bySecond();
            step.serverErrors = serverErrors.get() - errors0;
            step.unexpectedCloses = unexpectedCloses.get() - closes0;
            errors0 += step.serverErrors;
            closes0 += step.unexpectedCloses;
            step.stillOpen = (int) conns.stream().filter(Conn::isOpen).count();
            out.accept("RESULT " + Json.write(step));
        }
    }

    /**
     * One measured window: {@code pubs} publish at {@code rate} from start to end (open loop), deliveries are
     * counted until drainEnd, and this process's CPU and wire bytes from warmupEnd to drainEnd are recorded.
     * Returns the next publish sequence number.
     */
    private long measure(Generator gen, List<Conn> pubs, Go g, double rate, long seq, WorkerResult r) throws InterruptedException {
        Published p = new Published(seq);
        Thread t = new Thread(() -> publish(pubs, rate, g.start(), g.warmupEnd(), g.end(), p), "bench-publisher");
        t.setDaemon(true);
        t.start();
        sleepUntil(g.warmupEnd());
        double cpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
        long wire0 = gen.wireBytesIn.sum();
        sleepUntil(g.drainEnd());
        deliveries.stop();
        r.cpuSeconds = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - cpu0;
        r.wireBytesIn = gen.wireBytesIn.sum() - wire0;
        t.join(5000);
        p.halt = true; // a publisher that is still behind must not publish into the next window
        t.join(1000);
        r.published = p.published.get();
        r.expectedLocal = p.expected.get();
        return p.next.get();
    }

    /** What a publisher thread sent: counted as it goes, so a thread stopped early still reports what it published. */
    private static final class Published {
        final AtomicLong published = new AtomicLong();
        final AtomicLong expected = new AtomicLong();
        final AtomicLong next;
        volatile boolean halt;

        Published(long seq) {
            next = new AtomicLong(seq);
        }
    }

    private long openTimeoutMillis() {
        return spec.openTimeoutSeconds * 1000L;
    }

    /** Milliseconds until {@code deadline} (a nanoTime): one budget for a whole opening phase. */
    private static long left(long deadline) {
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
    }

    private Conn newConn(String token, String channel) {
        return new Conn(target, token, channel, deliveries, serverErrors, unexpectedCloses);
    }

    String channelOf(int global) {
        return switch (scenario) {
            case IDLE -> "idle-" + (global % Math.max(1, spec.channels));
            case FANOUT, CAPACITY, COLD -> "fanout";
            case ROOMS -> "room-" + (global / spec.roomSize);
            case CONNECT -> "storm-" + (global % 100);
            case PRESENCE -> "chat:stage";
            case PRESENCE_OFF -> "stage";
        };
    }

    /** Opens every connection, at most {@code concurrency} attempts at a time, and waits for all. */
    private void openAll(Generator gen, String[] tokens, WorkerResult r) throws InterruptedException {
        long deadline = System.nanoTime() + openTimeoutMillis() * 1_000_000L;
        Semaphore inFlight = new Semaphore(spec.concurrency);
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<CompletableFuture<Conn>> all = new ArrayList<>();
        for (int i = 0; i < spec.conns; i++) {
            int global = spec.connOffset + i;
            Conn c = newConn(tokens[i], channelOf(global));
            conns.add(c);
            if (!inFlight.tryAcquire(left(deadline), TimeUnit.MILLISECONDS)) {
                break;
            }
            all.add(gen.open(c, global, spec.sourceBase).whenComplete((ok, err) -> {
                inFlight.release();
                if (err != null) {
                    firstFailure.compareAndSet(null, String.valueOf(err));
                }
            }));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(left(deadline), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ignored) {
            // counted below
        }
        for (Conn c : conns) {
            if (c.readyFuture().isDone() && !c.readyFuture().isCompletedExceptionally()) {
                r.connected++;
            } else {
                r.failed++;
            }
        }
        r.firstFailure = firstFailure.get();
    }

    /**
     * Before a storm: rounds of half as many connections as the storm (at most 2,500), each opened and
     * closed again, so that neither the server nor this generator is measured while its JIT compiler is
     * still busy (with a tenth, JFR showed the node's C2 compiler thread using about a seventh of its CPU
     * in the storm; with one round, the node still made 1,788 compilations in a 10,000-connection storm).
     * Each round comes from its own block of source addresses (127.0.1+round.x), clear of the storm's.
     */
    private void warmUp(Generator gen, TokenMinter minter) throws InterruptedException {
        for (int round = 0; round < spec.warmupRounds; round++) {
            warmUpRound(gen, minter, round);
        }
    }

    private void warmUpRound(Generator gen, TokenMinter minter, int round) throws InterruptedException {
        long deadline = System.nanoTime() + openTimeoutMillis() * 1_000_000L;
        int n = Math.min(2500, Math.max(1, spec.conns / 2));
        List<Conn> warm = new ArrayList<>();
        List<CompletableFuture<Conn>> all = new ArrayList<>();
        Semaphore inFlight = new Semaphore(spec.concurrency);
        for (int i = 0; i < n; i++) {
            // The fill scenarios warm up on 100 small channels of their own namespace, so the code path of the
            // storm (history and presence for chat) is compiled before it is measured.
            String channel = scenario == Scenario.PRESENCE ? "chat:warm-" + (i % 100)
                    : scenario == Scenario.PRESENCE_OFF ? "warm-" + (i % 100) : channelOf(i);
            Conn c = newConn(minter.mint("warm" + (spec.connOffset + i), Duration.ofHours(1)), channel);
            warm.add(c);
            if (!inFlight.tryAcquire(left(deadline), TimeUnit.MILLISECONDS)) {
                break;
            }
            // Source addresses of the warm-up are far from the storm's, so no port is still in TIME_WAIT.
            all.add(gen.open(c, spec.connOffset + i, spec.sourceBase + 4, 1 + round).whenComplete((ok, err) -> inFlight.release()));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(left(deadline), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ignored) {
            // the storm will show whatever is wrong
        }
        Generator.closeAll(warm);
        Thread.sleep(500);
    }

    /** The connect scenario: all connections opened now, the time of each to subscribed recorded. */
    private void storm(Generator gen, String[] tokens, WorkerResult r) throws InterruptedException {
        long deadline = System.nanoTime() + openTimeoutMillis() * 1_000_000L;
        Histogram toReady = Deliveries.newHistogram();
        double cpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        AtomicLong lastReady = new AtomicLong(t0);
        Semaphore inFlight = new Semaphore(spec.concurrency);
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<CompletableFuture<Conn>> all = new ArrayList<>();
        for (int i = 0; i < spec.conns; i++) {
            int global = spec.connOffset + i;
            Conn c = newConn(tokens[i], channelOf(global));
            conns.add(c);
            if (!inFlight.tryAcquire(left(deadline), TimeUnit.MILLISECONDS)) {
                break;
            }
            long began = System.nanoTime();
            all.add(gen.open(c, global, spec.sourceBase).whenComplete((ok, err) -> {
                inFlight.release();
                long now = System.nanoTime();
                if (err == null) {
                    toReady.recordValue(Math.max(1, (now - began) / 1000));
                    lastReady.accumulateAndGet(now, Math::max);
                } else {
                    firstFailure.compareAndSet(null, String.valueOf(err));
                }
            }));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(left(deadline), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ignored) {
            // counted below
        }
        r.cpuSeconds = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - cpu0;
        for (Conn c : conns) {
            if (c.readyFuture().isDone() && !c.readyFuture().isCompletedExceptionally()) {
                r.connected++;
            } else {
                r.failed++;
            }
        }
        r.firstFailure = firstFailure.get();
        r.connectElapsedNanos = lastReady.get() - t0;
        r.connectLatency = Json.encode(toReady);
    }

    /**
     * After a presence storm: waits (at most 10 s) until every member's latest presence push carries the final
     * member count (the other workers may still be filling the channel), then counts the pushes. A channel
     * without presence pushes nothing: there it only waits a second, as long as a presence window or five.
     */
    private void settle(WorkerResult r) {
        long deadline = System.nanoTime() + (scenario == Scenario.PRESENCE ? 10_000_000_000L : 1_000_000_000L);
        while (System.nanoTime() < deadline) {
            if (scenario == Scenario.PRESENCE && conns.stream().allMatch(c -> c.lastUsers() == spec.expectedMembers)) {
                break;
            }
            LockSupport.parkNanos(50_000_000L);
        }
        for (Conn c : conns) {
            r.presencePushes += c.presencePushes();
            if (c.lastUsers() == spec.expectedMembers) {
                r.exactFinal++;
            }
        }
    }

    /**
     * Open-loop publishing: message k is due at start + k/rate and carries that intended time, even
     * when this thread or the server fell behind, so a stall shows up as latency instead of hiding
     * (no coordinated omission). Publishers take turns round-robin.
     */
    private void publish(List<Conn> pubs, double rate, long start, long warmupEnd, long end, Published p) {
        if (pubs.isEmpty() || rate <= 0) {
            return;
        }
        double interval = 1e9 / rate;
        int fanout = scenario == Scenario.ROOMS ? spec.roomSize : 0;
        for (long k = 0; !p.halt; k++) {
            long due = start + (long) (k * interval);
            if (due >= end) {
                break;
            }
            sleepUntil(due);
            Conn c = pubs.get((int) (k % pubs.size()));
            String channel = c.channelName() == null ? "fanout" : c.channelName();
            target.publishFrom(c, spec.port, channel, Frames.payload(due, spec.payloadBytes), p.next.getAndIncrement(), serverErrors);
            if (due >= warmupEnd) {
                p.published.incrementAndGet();
                p.expected.addAndGet(fanout);
            }
        }
    }

    static void sleepUntil(long nanoTime) {
        long d;
        while ((d = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(d);
        }
    }
}
