package io.switchboard.bench;

/** The figures of one scenario against one server, as written to results.json and the table. */
public final class ScenarioRun {
    public String target;
    public String scenario;
    /** Which run of the scenario against this server (1, 2, ...: --repeat); pairs with the other servers' run of the same number. */
    public int repetition = 1;
    public int connected;
    public int failed;
    public String firstFailure;
    /**
     * connect, presence, presence-off: seconds from the end of the warm-up until the server was quiet (under
     * 3 % of a core over a second) and the storm began; -1 when it was not quiet within the wait.
     */
    public double quietAfterSeconds = Double.NaN;
    public double measureSeconds;
    // fanout and rooms
    public long published;
    public long expected;
    public long received;
    public long lost;
    public double deliveriesPerSecond;
    public double p50Ms;
    public double p99Ms;
    public double p999Ms;
    public double maxMs;
    public long serverErrors;
    /** Connections closed by the server (or dropped) after they were ready, without the generator asking. */
    public long unexpectedCloses;
    /** capacity, cold: subscribers still connected at the end (of the step). */
    public int stillOpen = -1;
    public double serverCpuSeconds;
    public double serverCpuPerMillion;
    /** fanout, rooms: bytes received from the server's sockets per delivery, WebSocket framing included. */
    public double wireBytesPerDelivery;
    /** The kernel's share of the server's CPU time over the window (syscalls: send, epoll, accept). */
    public double serverSystemCpuPercent = Double.NaN;
    public double generatorCpuSeconds;
    /** The machine's CPU busy share over the window (all cores), and CPU seconds used by neither server nor generators. */
    public double machineBusyPercent = Double.NaN;
    public double otherCpuSeconds = Double.NaN;
    public String loadAverage;
    // idle
    /** The sessions of Switchboard's own warm-up as its log announced them ("0": none); null for other servers. */
    public String warmUpSessions;
    public long rssBeforeBytes;
    public long rssAfterBytes;
    public double rssPerConnectionBytes;
    public long heapBeforeBytes = -1;
    public long heapAfterBytes = -1;
    public double heapPerConnectionBytes = -1;
    // connect
    public double connectsPerSecond;
    public double connectP50Ms;
    public double connectP99Ms;
    /** presence scenarios: presence pushes per member, and members whose last push had the exact final count. */
    public double presencePushesPerClient;
    public int exactFinal;
    // capacity
    /** A capacity step: the publisher's rate, msg/s. */
    public double offeredRate;
    /** A capacity step: null when sustained (nothing lost, p99 under the limit), else why not. */
    public String shortfall;
    /** capacity: one run per step tried, in rising order of rate (each with the delivery figures above). */
    public java.util.List<ScenarioRun> steps;
    /** capacity: the highest rate up to which every step was sustained; 0 when the first was not. */
    public double highestSustainedRate = Double.NaN;
    /** capacity: every step offered was sustained, so the server's limit lies above the highest rate tried. */
    public boolean everyStepSustained;
    // cold: times are seconds since the server process was started
    public double startToReadyMs = Double.NaN;
    /** The server's CPU seconds used by the time it answered /readyz. */
    public double cpuAtReadySeconds = Double.NaN;
    /** The launcher recorded its warm-start archive first (once per build), inside the time to ready. */
    public boolean warmStartRecorded;
    public double stormFromSeconds = Double.NaN;
    public double stormToSeconds = Double.NaN;
    public double stormServerCpuSeconds = Double.NaN;
    public double stormServerSystemCpuPercent = Double.NaN;
    public double fanoutFromSeconds = Double.NaN;
    public double fanoutToSeconds = Double.NaN;
    /** fanout, rooms, capacity and cold: p99 of the deliveries due in each second of the window (ms; NaN: none due). */
    public double[] p99BySecondMs;
    /** The delivery (or connect) latency histogram, base64, for the charts. */
    public String histogram;
}
