package io.switchboard.bench.chaos;

import java.util.List;

/** Sizes, rates and the fault schedule of one chaos run; the defaults are the documented full run. */
public final class ChaosSettings {
    /** {@code redis} (live messages by Redis pub/sub) and/or {@code nats}; each mode is a run of its own. */
    public List<String> modes = List.of("redis", "nats");
    public double durationSeconds = 60;
    public int nodes = 3;
    public int subscribers = 30;
    public int channels = 5;
    public int publishers = 3;
    /** Publications per second, over all publishers and channels. */
    public double rate = 120;
    /** Mean time between one subscriber's own drops (an abrupt close or an unsubscribe, then since). */
    public double dropEverySeconds = 10;
    /**
     * Faults, spread evenly over the run in this order: {@code kill} (SIGKILL a node, start it again),
     * {@code stop} (SIGSTOP a node, SIGCONT later), {@code redis} (SIGKILL Redis, start it on its data),
     * {@code nats} (SIGKILL NATS, start it again; skipped in the redis mode).
     */
    public List<String> faults = List.of("kill", "stop", "redis", "nats", "kill");
    public double nodeDownSeconds = 1;
    public double frozenSeconds = 4;
    public double redisDownSeconds = 3;
    public double natsDownSeconds = 2;
    /** The nodes' presence TTL: short, so that entries of killed nodes expire within the run. */
    public long presenceTtlMillis = 6000;
    /** Longest wait at the end for publishes to be acknowledged and subscribers to catch up. */
    public double settleSeconds = 30;
    public long seed = System.nanoTime();
    /** How to run a node, before {@code serve ...}: the ./switchboard launcher, or java with a classpath. */
    public List<String> launcher = List.of("./switchboard");
    /** Extra options for every node. */
    public List<String> nodeArgs = List.of();

    /** About 20 s per mode, every fault once. */
    public static ChaosSettings quick() {
        ChaosSettings s = new ChaosSettings();
        s.durationSeconds = 20;
        s.faults = List.of("kill", "stop", "redis", "nats");
        s.dropEverySeconds = 5;
        return s;
    }
}
