package io.switchboard.bench;

/** The figures of one scenario against one server, as written to results.json and the table. */
public final class ScenarioRun {
    public String target;
    public String scenario;
    public int connected;
    public int failed;
    public String firstFailure;
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
    public long unexpectedCloses;
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
    /** The delivery (or connect) latency histogram, base64, for the charts. */
    public String histogram;
}
