package io.switchboard.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.MessageType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The node's meters, in one Micrometer registry scraped as Prometheus text at {@code /metrics}. Every
 * meter the hot paths touch is created here once and kept in a field or an enum map, so counting a
 * message is an add on a striped counter, never a registry lookup. Names follow Prometheus conventions
 * once rendered: {@code switchboard_..._total} for counters, {@code _seconds} for timers, {@code _bytes}.
 * Thread-safe.
 */
public final class Metrics implements AutoCloseable {

    // What /metrics scrapes. The node's meters are registered in `registry`: this one, or a composite of it and
    // the application's registry when the node is embedded (the JVM's own meters stay out of the application's).
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MeterRegistry registry;
    private final MeterRegistry external; // the embedding application's, or null

    private final Counter connectionsOpened;
    private final Map<Integer, Counter> connectionsClosed = new ConcurrentHashMap<>();
    // The Pusher front door's connections and messages: the same meters with protocol="pusher".
    private final Counter pusherOpened;
    private final AtomicLong pusherOpen = new AtomicLong();
    private final Map<Integer, Counter> pusherClosed = new ConcurrentHashMap<>();
    private final Map<String, Counter> pusherIn = new ConcurrentHashMap<>();
    private final Map<String, Counter> pusherBytesIn = new ConcurrentHashMap<>();
    private final Counter pusherOut;
    private final Counter pusherBytesOut;
    private volatile Supplier<Map<String, Integer>> pusherApps;
    private final Map<String, Counter> connectionsRefused = new ConcurrentHashMap<>();
    private final Map<String, Counter> proxyRefused = new ConcurrentHashMap<>();
    private final Map<String, Counter> framesRejected = new ConcurrentHashMap<>();
    private final AtomicLong subscriptions = new AtomicLong();
    private final EnumMap<MessageType, Counter> messagesIn = new EnumMap<>(MessageType.class);
    private final EnumMap<MessageType, Counter> bytesIn = new EnumMap<>(MessageType.class);
    private final Counter batchBytesIn;
    private final EnumMap<MessageType, Counter> messagesOut = new EnumMap<>(MessageType.class);
    private final EnumMap<MessageType, Counter> bytesOut = new EnumMap<>(MessageType.class);
    private final EnumMap<MessageType, Timer> commandDuration = new EnumMap<>(MessageType.class);
    private final EnumMap<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Counter publicationsWs;
    private final Counter publicationsApi;
    private final Timer deliveryLatency;
    private final Counter slowConsumers;
    private final Counter rateLimitedCommands;
    private final Counter rateLimitedUpgrades;
    private final Map<String, Timer> engineRtt = new ConcurrentHashMap<>();
    private final Counter engineFailures;
    private final Counter deliveryGaps;
    private final Timer brokerLag;
    private final Map<String, Counter> apiRequests = new ConcurrentHashMap<>();
    private final CompressionMetrics compression;
    // Latency of the last second for the admin page; the Prometheus histogram keeps the long view.
    private final Recorder latencyRecorder = new Recorder(3);
    private Histogram latencyInterval; // sampler thread only
    // Listens to GC notifications until closed; one per node, so closed with it.
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public Metrics() {
        this(null);
    }

    /**
     * @param external an application's registry that gets the node's {@code switchboard.*} meters too (the
     *                 JVM meters only go to the node's own), or null; closing the node removes them from it
     */
    public Metrics(MeterRegistry external) {
        this.external = external;
        if (external == null) {
            registry = prometheus;
        } else {
            io.micrometer.core.instrument.composite.CompositeMeterRegistry both =
                    new io.micrometer.core.instrument.composite.CompositeMeterRegistry();
            both.add(prometheus);
            both.add(external);
            registry = both;
        }
        connectionsOpened = Counter.builder("switchboard.connections.opened").tag("protocol", NATIVE)
                .description("WebSocket sessions opened (welcome sent)").register(registry);
        pusherOpened = Counter.builder("switchboard.connections.opened").tag("protocol", PUSHER)
                .description("WebSocket sessions opened (welcome sent)").register(registry);
        pusherOut = Counter.builder("switchboard.messages.out").tag("type", "event").tag("protocol", PUSHER)
                .description("Envelopes handed to client connections, by type").register(registry);
        pusherBytesOut = Counter.builder("switchboard.bytes.out").tag("type", "event").tag("protocol", PUSHER)
                .description("Bytes of envelopes handed to client connections, by type").register(registry);
        batchBytesIn = Counter.builder("switchboard.bytes.in").tag("type", "batch").tag("protocol", NATIVE)
                .description("Bytes of inbound text frames; frames holding several envelopes are counted as type batch")
                .register(registry);
        for (MessageType t : MessageType.values()) {
            String type = t.wireName();
            messagesIn.put(t, Counter.builder("switchboard.messages.in").tag("type", type).tag("protocol", NATIVE)
                    .description("Envelopes received from clients, by type").register(registry));
            bytesIn.put(t, Counter.builder("switchboard.bytes.in").tag("type", type).tag("protocol", NATIVE)
                    .description("Bytes of inbound text frames; frames holding several envelopes are counted as type batch")
                    .register(registry));
            messagesOut.put(t, Counter.builder("switchboard.messages.out").tag("type", type).tag("protocol", NATIVE)
                    .description("Envelopes handed to client connections, by type").register(registry));
            bytesOut.put(t, Counter.builder("switchboard.bytes.out").tag("type", type).tag("protocol", NATIVE)
                    .description("Bytes of envelopes handed to client connections, by type").register(registry));
            if (!t.clientMustSendId()) {
                continue;
            }
            commandDuration.put(t, Timer.builder("switchboard.command.duration").tag("type", type)
                    .description("Time from receiving a command to queueing its reply")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry));
        }
        for (ErrorCode c : ErrorCode.values()) {
            errors.put(c, Counter.builder("switchboard.errors").tag("code", c.wireName())
                    .description("Error envelopes sent to clients, by code").register(registry));
        }
        publicationsWs = Counter.builder("switchboard.publications").tag("source", "websocket")
                .description("Publications accepted from this node's clients and server API").register(registry);
        publicationsApi = Counter.builder("switchboard.publications").tag("source", "api")
                .description("Publications accepted from this node's clients and server API").register(registry);
        deliveryLatency = Timer.builder("switchboard.delivery.latency")
                .description("From a publication's ingress into the node to its frame being queued for the last local subscriber")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        slowConsumers = Counter.builder("switchboard.slow.consumer.disconnects")
                .description("Connections closed with 4001 because their outbound queue went over its bound").register(registry);
        rateLimitedCommands = Counter.builder("switchboard.rate.limited").tag("scope", "command")
                .description("Commands refused with rate_limited, and upgrades refused with HTTP 429").register(registry);
        rateLimitedUpgrades = Counter.builder("switchboard.rate.limited").tag("scope", "upgrade")
                .description("Commands refused with rate_limited, and upgrades refused with HTTP 429").register(registry);
        engineFailures = Counter.builder("switchboard.engine.failures")
                .description("Engine calls that failed").register(registry);
        deliveryGaps = Counter.builder("switchboard.delivery.gaps")
                .description("Times the engine lost a channel's publications for this node and its subscribers were told to subscribe again")
                .register(registry);
        brokerLag = Timer.builder("switchboard.broker.lag")
                .description("From a publication's acceptance by the engine to its arrival at this node (millisecond clock)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        Gauge.builder("switchboard.netty.direct.memory.used", PlatformDependent::usedDirectMemory)
                .description("Direct memory Netty has reserved (-1 when Netty does not track it)").baseUnit("bytes").register(registry);
        Gauge.builder("switchboard.netty.direct.memory.max", PlatformDependent::maxDirectMemory)
                .description("The most direct memory Netty may use").baseUnit("bytes").register(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(prometheus);
        new JvmMemoryMetrics().bindTo(prometheus);
        gcMetrics.bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        new ClassLoaderMetrics().bindTo(prometheus);
        new ProcessorMetrics().bindTo(prometheus);
        new UptimeMetrics().bindTo(prometheus);
        new FileDescriptorMetrics().bindTo(prometheus);
        // The usual close codes exist from the start, so that rate() sees their first increment.
        for (int code : new int[] {1000, 1001, 1006, 4000, 4001, 4002, 4003, 4004, 4503}) {
            closedCounter(code);
        }
        Gauge.builder("switchboard.subscriptions", subscriptions, AtomicLong::get)
                .description("Subscriptions of this node's connections").register(registry);
        compression = new CompressionMetrics(registry);
    }

    /** The permessage-deflate meters. */
    public CompressionMetrics compression() {
        return compression;
    }

    /** Stops the GC listener and the registry (the node is stopping). */
    @Override
    public void close() {
        gcMetrics.close();
        if (external != null) {
            // The application's registry outlives the node: take the node's meters back out of it.
            for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
                external.remove(m.getId());
            }
        }
        prometheus.close();
    }

    /** Registers the gauges that read the live node: open connections and channels with local subscribers. */
    public void bindNode(Supplier<Number> connections, Supplier<Number> channels) {
        Gauge.builder("switchboard.connections.open", () -> connections.get().longValue() - pusherOpen.get())
                .tag("protocol", NATIVE).description("Open WebSocket sessions").register(registry);
        Gauge.builder("switchboard.connections.open", pusherOpen, AtomicLong::get)
                .tag("protocol", PUSHER).description("Open WebSocket sessions").register(registry);
        Gauge.builder("switchboard.channels", channels).description("Channels with at least one local subscriber").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return prometheus.scrape();
    }

    // ---- connections -------------------------------------------------------------------------------

    public void connectionOpened() {
        connectionsOpened.increment();
    }

    /** A session ended; {@code code} is the close code it ended with (1006 when the socket just dropped). */
    public void connectionClosed(int code) {
        closedCounter(code).increment();
    }

    private Counter closedCounter(int code) {
        return connectionsClosed.computeIfAbsent(code, c -> Counter.builder("switchboard.connections.closed")
                .tag("code", Integer.toString(c)).tag("protocol", NATIVE)
                .description("WebSocket sessions ended, by close code (1006: the socket closed without a close frame)")
                .register(registry));
    }

    // ---- the Pusher front door -------------------------------------------------------------------

    /** The label value of the node's own protocol's meters. */
    public static final String NATIVE = "native";
    /** The label value of the Pusher front door's meters. */
    public static final String PUSHER = "pusher";
    /** The Pusher events counted by name in {@code switchboard_messages_in_total}; others count as {@code other}. */
    private static final java.util.Set<String> PUSHER_IN_TYPES = java.util.Set.of("pusher:subscribe", "pusher:unsubscribe",
            "pusher:ping", "pusher:pong", "pusher:signin", "client_event", "other");

    public void pusherConnectionOpened() {
        pusherOpened.increment();
        pusherOpen.incrementAndGet();
    }

    /** A Pusher connection ended with {@code code} (the Pusher close code sent or received; 1006 without one). */
    public void pusherConnectionClosed(int code) {
        pusherOpen.decrementAndGet();
        pusherClosed.computeIfAbsent(code, c -> Counter.builder("switchboard.connections.closed")
                .tag("code", Integer.toString(c)).tag("protocol", PUSHER)
                .description("WebSocket sessions ended, by close code (1006: the socket closed without a close frame)")
                .register(registry)).increment();
    }

    /** A Pusher frame of {@code bytes} arrived; {@code event} is its event name ({@code client-...}: a client event). */
    public void pusherMessageIn(String event, int bytes) {
        String type = event.startsWith("client-") ? "client_event" : PUSHER_IN_TYPES.contains(event) ? event : "other";
        pusherIn.computeIfAbsent(type, t -> Counter.builder("switchboard.messages.in").tag("type", t).tag("protocol", PUSHER)
                .description("Envelopes received from clients, by type").register(registry)).increment();
        pusherBytesIn.computeIfAbsent(type, t -> Counter.builder("switchboard.bytes.in").tag("type", t).tag("protocol", PUSHER)
                .description("Bytes of inbound text frames; frames holding several envelopes are counted as type batch")
                .register(registry)).increment(bytes);
    }

    /** {@code count} Pusher events of {@code bytes} in all were written to a connection. */
    public void pusherMessagesOut(int count, long bytes) {
        pusherOut.increment(count);
        pusherBytesOut.increment(bytes);
    }

    /** Where the Pusher apps' open connections on this node come from (app id to count), for stats and a gauge per app. */
    public void bindPusherApps(Supplier<Map<String, Integer>> apps) {
        pusherApps = apps;
        for (String id : apps.get().keySet()) {
            Gauge.builder("switchboard.pusher.app.connections", () -> apps.get().getOrDefault(id, 0)).tag("app", id)
                    .description("Open Pusher connections of an app on this node").register(registry);
        }
    }

    /** Open Pusher connections by app id, or null when the Pusher front door is off. */
    public Map<String, Integer> pusherApps() {
        Supplier<Map<String, Integer>> s = pusherApps;
        return s == null ? null : s.get();
    }

    public long pusherConnectionsOpen() {
        return pusherOpen.get();
    }

    /** An upgrade refused after the handshake (origin, token, limits, draining), by error code. */
    public void connectionRefused(ErrorCode code) {
        connectionsRefused.computeIfAbsent(code.wireName(), c -> Counter.builder("switchboard.connections.refused")
                .tag("code", c).description("Upgrades refused with an error and a close frame, by error code")
                .register(registry)).increment();
    }

    /**
     * A frame refused as a whole, by the connection's subprotocol ({@code json}, {@code protobuf}) and
     * reason: {@code malformed} (it could not be decoded) or {@code wrong_kind} (a binary frame on the JSON
     * subprotocol, a text frame on the binary one). Each also got an {@code error} {@code bad_request}.
     */
    public void frameRejected(io.switchboard.protocol.WireFormat format, String reason) {
        String key = format.name().toLowerCase(java.util.Locale.ROOT) + ' ' + reason;
        framesRejected.computeIfAbsent(key, k -> Counter.builder("switchboard.frames.rejected")
                .tag("protocol", format.name().toLowerCase(java.util.Locale.ROOT)).tag("reason", reason)
                .description("Inbound frames refused as a whole (malformed, or the wrong kind for the subprotocol)")
                .register(registry)).increment();
    }

    /**
     * A connection closed by the PROXY protocol gate before any HTTP: {@code untrusted} (a PROXY header
     * from a peer that is not a trusted proxy, or with --proxy-protocol off), {@code missing} (none from a
     * trusted proxy with --proxy-protocol on), {@code malformed}.
     */
    public void proxyHeaderRefused(String reason) {
        proxyRefused.computeIfAbsent(reason, r -> Counter.builder("switchboard.proxy.refused").tag("reason", r)
                .description("Connections closed for their PROXY protocol header (untrusted, missing, malformed)")
                .register(registry)).increment();
    }

    public void subscriptionAdded() {
        subscriptions.incrementAndGet();
    }

    public void subscriptionRemoved() {
        subscriptions.decrementAndGet();
    }

    // ---- traffic -----------------------------------------------------------------------------------

    public void frameIn(int bytes, MessageType singleType) {
        (singleType == null ? batchBytesIn : bytesIn.get(singleType)).increment(bytes);
    }

    public void messageIn(MessageType type) {
        messagesIn.get(type).increment();
    }

    public void messagesOut(MessageType type, int count, long bytes) {
        messagesOut.get(type).increment(count);
        bytesOut.get(type).increment(bytes);
    }

    public void commandDone(MessageType type, long nanos) {
        Timer t = commandDuration.get(type);
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public void error(ErrorCode code) {
        errors.get(code).increment();
    }

    public void published(boolean viaApi) {
        (viaApi ? publicationsApi : publicationsWs).increment();
    }

    public void delivered(long nanos) {
        long n = Math.max(0, nanos);
        deliveryLatency.record(n, TimeUnit.NANOSECONDS);
        latencyRecorder.recordValue(Math.max(1, n / 1000)); // microseconds
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    public void rateLimitedCommand() {
        rateLimitedCommands.increment();
    }

    public void rateLimitedUpgrade() {
        rateLimitedUpgrades.increment();
    }

    // ---- engine and API ----------------------------------------------------------------------------

    public void engineCall(String op, long nanos, boolean failed) {
        engineRtt.computeIfAbsent(op, o -> Timer.builder("switchboard.engine.rtt").tag("op", o)
                .description("Round trip of engine calls, by operation")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (failed) {
            engineFailures.increment();
        }
    }

    public void deliveryGap() {
        deliveryGaps.increment();
    }

    public void brokerLag(long millis) {
        brokerLag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void apiRequest(String endpoint, int status) {
        apiRequests.computeIfAbsent(endpoint + ' ' + status, k -> Counter.builder("switchboard.api.requests")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .description("Server API requests, by endpoint and HTTP status").register(registry)).increment();
    }

    // ---- reading back (node stats, tests) ---------------------------------------------------------

    public double connectionsOpenedTotal() {
        return connectionsOpened.count() + pusherOpened.count();
    }

    public double connectionsClosedTotal() {
        return connectionsClosed.values().stream().mapToDouble(Counter::count).sum()
                + pusherClosed.values().stream().mapToDouble(Counter::count).sum();
    }

    public long subscriptions() {
        return subscriptions.get();
    }

    public double messagesInTotal() {
        return messagesIn.values().stream().mapToDouble(Counter::count).sum()
                + pusherIn.values().stream().mapToDouble(Counter::count).sum();
    }

    public double messagesOutTotal() {
        return messagesOut.values().stream().mapToDouble(Counter::count).sum() + pusherOut.count();
    }

    public double bytesInTotal() {
        return bytesIn.values().stream().mapToDouble(Counter::count).sum() + batchBytesIn.count()
                + pusherBytesIn.values().stream().mapToDouble(Counter::count).sum();
    }

    public double bytesOutTotal() {
        return bytesOut.values().stream().mapToDouble(Counter::count).sum() + pusherBytesOut.count();
    }

    public double errorsTotal() {
        return errors.values().stream().mapToDouble(Counter::count).sum();
    }

    public double publicationsTotal() {
        return publicationsWs.count() + publicationsApi.count();
    }

    public double slowConsumersTotal() {
        return slowConsumers.count();
    }

    public double rateLimitedTotal() {
        return rateLimitedCommands.count() + rateLimitedUpgrades.count();
    }

    /**
     * Delivery-latency percentiles (microseconds) of everything recorded since the previous call, as
     * {p50, p90, p99, max, count}. Meant for one caller: the node's once-a-second stats sampler.
     */
    public synchronized long[] takeLatencyInterval() {
        latencyInterval = latencyRecorder.getIntervalHistogram(latencyInterval);
        Histogram h = latencyInterval;
        if (h.getTotalCount() == 0) {
            return new long[] {0, 0, 0, 0, 0};
        }
        return new long[] {h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getMaxValue(), h.getTotalCount()};
    }
}
