package io.switchboard.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The meters of permessage-deflate (docs/operations.md): how many compressions ran (shared by a fan-out,
 * or for one connection), their bytes before and after, the compressed frames written, the compressed
 * messages received, and the connections closed for compression faults, by reason. Thread-safe.
 */
public final class CompressionMetrics {

    private final Counter sharedRuns;
    private final Counter connectionRuns;
    private final Counter plainBytes;
    private final Counter compressedBytes;
    private final Counter framesOut;
    private final Counter frameBytesOut;
    private final Counter messagesIn;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    CompressionMetrics(MeterRegistry registry) {
        this.registry = registry;
        sharedRuns = Counter.builder("switchboard.deflate.compressions").tag("scope", "fanout")
                .description("Messages compressed: once per publication for all its subscribers (fanout), or for one connection")
                .register(registry);
        connectionRuns = Counter.builder("switchboard.deflate.compressions").tag("scope", "connection")
                .description("Messages compressed: once per publication for all its subscribers (fanout), or for one connection")
                .register(registry);
        plainBytes = Counter.builder("switchboard.deflate.input.bytes")
                .description("Bytes given to the compressor").register(registry);
        compressedBytes = Counter.builder("switchboard.deflate.output.bytes")
                .description("Bytes the compressor made of them").register(registry);
        framesOut = Counter.builder("switchboard.deflate.frames.out")
                .description("Compressed frames (RSV1 set) written to connections").register(registry);
        frameBytesOut = Counter.builder("switchboard.deflate.frames.out.bytes")
                .description("Payload bytes of the compressed frames written to connections").register(registry);
        messagesIn = Counter.builder("switchboard.deflate.messages.in")
                .description("Compressed messages received and inflated").register(registry);
        for (String reason : new String[] {"not_negotiated", "too_big", "corrupt"}) {
            refusedCounter(reason);
        }
    }

    /** One compression: for a fan-out ({@code shared}) or one connection; sizes before and after. */
    public void compressed(boolean shared, int plain, int compressed) {
        (shared ? sharedRuns : connectionRuns).increment();
        plainBytes.increment(plain);
        compressedBytes.increment(compressed);
    }

    public void frameSent(int bytes) {
        framesOut.increment();
        frameBytesOut.increment(bytes);
    }

    public void messageIn() {
        messagesIn.increment();
    }

    /**
     * A connection closed for a compressed frame: {@code not_negotiated} (RSV1 without the extension, 1002),
     * {@code too_big} (inflates past the limit, 1009), {@code corrupt} (not valid deflate data, 1007).
     */
    public void refused(String reason) {
        refusedCounter(reason).increment();
    }

    private Counter refusedCounter(String reason) {
        return refused.computeIfAbsent(reason, r -> Counter.builder("switchboard.deflate.refused").tag("reason", r)
                .description("Connections closed for a compressed frame they could not send, by reason").register(registry));
    }

    // ---- reading back (tests) ----

    public double compressions(boolean shared) {
        return (shared ? sharedRuns : connectionRuns).count();
    }

    public double framesSent() {
        return framesOut.count();
    }

    public double messagesReceived() {
        return messagesIn.count();
    }

    public double refusedTotal(String reason) {
        return refusedCounter(reason).count();
    }
}
