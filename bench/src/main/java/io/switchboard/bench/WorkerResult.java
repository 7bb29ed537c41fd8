package io.switchboard.bench;

/** What one generator process reports at the end of a scenario (the RESULT line). */
public final class WorkerResult {
    public int connected;
    public int failed;
    public String firstFailure;
    public long published;
    /** rooms: deliveries this worker's publishes should cause (its rooms are whole). */
    public long expectedLocal;
    public long received;
    /** Deliveries of messages stamped outside the measured window (warm-up), not in any figure. */
    public long outside;
    public long serverErrors;
    public long unexpectedCloses;
    /** This generator's own CPU time over the measured window. */
    public double cpuSeconds;
    /** fanout, rooms: bytes the sockets delivered from warm-up's end to the drain's end (compressed, framed, all). */
    public long wireBytesIn;
    /** Base64 compressed HdrHistogram of delivery latency in microseconds. */
    public String latency;
    /**
     * The same deliveries by the second of the window their message was due in (second 0 first), each a
     * base64 compressed HdrHistogram, or null for a second without any.
     */
    public java.util.List<String> latencyBySecond;
    /** connect: base64 compressed HdrHistogram of time to subscribed, in microseconds. */
    public String connectLatency;
    public long connectElapsedNanos;
    /** presence: presence pushes (presenceUpdate, presenceDiff, presenceCount envelopes) all connections received. */
    public long presencePushes;
    /** capacity, cold: subscribers whose connection was still open when the result was written. */
    public int stillOpen;
    /** cold: this generator's CPU time over the storm. */
    public double stormCpuSeconds;
    /** presence: connections whose last presence push named the final member count. */
    public int exactFinal;
}
