package io.switchboard.bench;

/** Sizes and times of one comparison run; the defaults are the documented full run. */
public final class Settings {
    public int idleConnections = 10_000;
    public int idleChannels = 100;
    public double idleSettleSeconds = 5;

    public int fanoutSubscribers = 5_000;
    /** Messages per second the one publisher sends (open loop). */
    public double fanoutRate = 10;

    public int rooms = 1_000;
    public int roomSize = 10;
    /** Messages per second each room member publishes. */
    public double roomsRatePerMember = 0.5;

    public int connectConnections = 5_000;
    /**
     * connect: rounds of warm-up connections before the storm, each round as many as half the storm (at most
     * 2,500 per generator process), opened and closed; then the server is given time to go quiet. With one
     * round (what presence and presence-off still do) a JVM server's compilers were busy through the storm;
     * a server's connect cost stopped falling at about 16 (docs/benchmarks.md, Round 4).
     */
    public int connectWarmupRounds = 16;
    /** Longest wait, after the storm's warm-up, for the server's CPU to fall to {@link #QUIET_CPU_FRACTION} of a core. */
    public double quietWaitSeconds = 20;
    /** A server is quiet when it used less than this fraction of one core over the last second. */
    static final double QUIET_CPU_FRACTION = 0.03;
    /** Connection attempts in flight at once, over all generator processes. */
    public int connectConcurrency = 200;

    /** presence, presence-off: members of the one channel, over all generator processes. */
    public int presenceMembers = 5_000;
    /** Join attempts in flight at once, over all generator processes. */
    public int presenceConcurrency = 50;

    /** capacity: the publisher's rates, one step each, in rising order (over the fanout subscribers). */
    public double[] capacityRates = {10, 20, 40, 80};
    public double capacityWarmupSeconds = 3;
    public double capacityMeasureSeconds = 10;
    public double capacityDrainSeconds = 5;
    /** capacity: a step is sustained when nothing is lost and its p99 is below this. */
    public double capacityP99LimitMs = 250;
    /** capacity: run every step even after one fell short (the highest sustained rate still ends at the first). */
    public boolean capacityKeepGoing;

    /** cold: seconds of fan-out measured right after the storm (no warm-up); the drain is {@link #drainSeconds}. */
    public double coldMeasureSeconds = 30;

    /**
     * Warm-up before fanout's and rooms' window (and capacity's first step). Long enough to take in one
     * heartbeat cycle of Switchboard's defaults (its first ping comes 12.5 to 25 s after connecting, the pong
     * deadline 10 s later): with 5 s, a JVM server compiled its ping and pong paths, and deoptimised the
     * fan-out's code for their sake, inside the measured window (docs/benchmarks.md, Round 3).
     */
    public double warmupSeconds = 35;
    public double measureSeconds = 20;
    /** Time after the window for late deliveries to arrive; later ones count as lost. */
    public double drainSeconds = 5;

    public int workers = 2;
    /**
     * idle, fanout, rooms, connect: runs of each server, back to back and alternating which server goes first
     * (A B, B A, A B, ...). The targets take each server's median and the median of the ratios of the pairs.
     * The other scenarios run once.
     */
    public int repeat = 1;
    public int payloadBytes = 100;
    public int openTimeoutSeconds = 180;

    /** A run of a few seconds per scenario, for the smoke test: checks the harness, not the speed. */
    static Settings smoke() {
        Settings s = new Settings();
        s.idleConnections = 40;
        s.idleChannels = 4;
        s.idleSettleSeconds = 0.2;
        s.fanoutSubscribers = 20;
        s.fanoutRate = 20;
        s.rooms = 4;
        s.roomSize = 5;
        s.roomsRatePerMember = 2;
        s.connectConnections = 40;
        s.connectConcurrency = 10;
        s.connectWarmupRounds = 2;
        s.quietWaitSeconds = 2;
        s.presenceMembers = 30;
        s.presenceConcurrency = 10;
        s.capacityRates = new double[] {10, 20};
        s.capacityWarmupSeconds = 0.3;
        s.capacityMeasureSeconds = 1;
        s.capacityDrainSeconds = 1.5;
        // every step runs whatever its latency, so the test can check the accounting of each
        s.capacityKeepGoing = true;
        s.coldMeasureSeconds = 1;
        s.warmupSeconds = 0.3;
        s.measureSeconds = 1;
        s.drainSeconds = 1.5;
        s.workers = 2;
        s.openTimeoutSeconds = 20; // a broken adapter fails the build in seconds, not minutes
        return s;
    }
}
