package io.switchboard.bench;

/**
 * One generator process's share of a scenario. Connection {@code i} of this worker has the global
 * index {@code connOffset + i}, which picks its user id, its channel and its source address.
 */
public final class WorkerSpec {
    public String scenario;
    public String target;
    public int port;
    public String secret;
    public int conns;
    public int connOffset;
    /** idle: connections are spread over this many channels. */
    public int channels = 1;
    /** rooms: members per room; a worker holds whole rooms. */
    public int roomSize = 10;
    /** fanout: this worker also runs the publisher (one extra connection, subscribed to nothing). */
    public boolean publisher;
    /** Messages per second this worker publishes (fanout: the publisher's rate; rooms: all its members together). */
    public double publishRate;
    public int payloadBytes = 100;
    /** Connection attempts in flight at once. */
    public int concurrency = 200;
    /** connect, presence, presence-off: rounds of warm-up connections (opened, then closed) before the storm; 1 but for connect. */
    public int warmupRounds = 1;
    public int threads = 1;
    /** How long opening all connections may take before the stragglers count as failed. */
    public int openTimeoutSeconds = 180;
    /** Source addresses start at 127.0.0.(2 + sourceBase): each run gets fresh ones, clear of TIME_WAIT. */
    public int sourceBase;
    /** presence: how many members the channel has once every worker is done (the count every member should end on). */
    public int expectedMembers;

    static WorkerSpec of(Scenario s, Target t, int port, String secret) {
        WorkerSpec w = new WorkerSpec();
        w.scenario = s.id();
        w.target = t.id();
        w.port = port;
        w.secret = secret;
        return w;
    }

    WorkerSpec copy() {
        return Json.MAPPER.convertValue(this, WorkerSpec.class);
    }
}
