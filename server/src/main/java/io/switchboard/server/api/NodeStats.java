package io.switchboard.server.api;

import io.switchboard.server.consumer.Consumers;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.Json;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's figures, sampled once a second into one JSON object: served by {@code /api/stats},
 * streamed to the admin page by {@code /api/stats/stream}, and reported to the engine every few seconds
 * so that {@code /api/info} can list the cluster. Counters are totals since start; a reader turns them
 * into rates by difference. Latency percentiles cover the last second.
 */
public final class NodeStats {

    private static final Logger log = LoggerFactory.getLogger(NodeStats.class);
    /** How often the engine hears from this node, and how long its entry outlives a silent node. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(5);
    static final Duration REPORT_TTL = Duration.ofSeconds(15);

    private final Node node;
    private final Set<Consumer<byte[]>> listeners = new CopyOnWriteArraySet<>();
    private volatile Supplier<Map<String, Consumers.Status>> consumers = Map::of;
    private volatile byte[] latest;
    private long lastReport; // sampler thread only

    public NodeStats(Node node) {
        this.node = node;
        this.latest = snapshot(new long[5]);
    }

    /** The last sample. */
    public byte[] latest() {
        return latest;
    }

    /** Where the samples read the consumers' figures from (none until set). */
    public void consumers(Supplier<Map<String, Consumers.Status>> status) {
        this.consumers = status;
    }

    /** Receives every new sample until removed; called on the sampler's thread, so it must not block. */
    public void addListener(Consumer<byte[]> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<byte[]> listener) {
        listeners.remove(listener);
    }

    /** Takes one sample; run once a second by the node. */
    public void sample() {
        byte[] s = snapshot(node.metrics().takeLatencyInterval());
        latest = s;
        for (Consumer<byte[]> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                log.debug("stats listener failed", e);
            }
        }
        long now = System.currentTimeMillis();
        if (now - lastReport >= REPORT_EVERY.toMillis()) {
            lastReport = now;
            node.cluster().reportNode(node.nodeId(), s, REPORT_TTL).exceptionally(t -> {
                log.debug("could not report node stats to the engine: {}", t.toString());
                return null;
            });
        }
    }

    private byte[] snapshot(long[] latency) {
        Metrics m = node.metrics();
        long now = System.currentTimeMillis();
        return Json.object(g -> {
            g.writeStringField("id", node.nodeId());
            g.writeStringField("version", node.serverVersion());
            g.writeStringField("engine", node.engine().name());
            g.writeNumberField("ts", now);
            g.writeNumberField("startedAt", node.startedAt());
            g.writeNumberField("uptimeSeconds", (now - node.startedAt()) / 1000);
            g.writeNumberField("connections", node.connections().size());
            g.writeNumberField("subscriptions", m.subscriptions());
            g.writeNumberField("channels", node.hub().channelCount());
            g.writeNumberField("connectionsOpened", (long) m.connectionsOpenedTotal());
            g.writeNumberField("connectionsClosed", (long) m.connectionsClosedTotal());
            g.writeNumberField("messagesIn", (long) m.messagesInTotal());
            g.writeNumberField("messagesOut", (long) m.messagesOutTotal());
            g.writeNumberField("bytesIn", (long) m.bytesInTotal());
            g.writeNumberField("bytesOut", (long) m.bytesOutTotal());
            g.writeNumberField("publications", (long) m.publicationsTotal());
            g.writeNumberField("errors", (long) m.errorsTotal());
            g.writeNumberField("slowConsumers", (long) m.slowConsumersTotal());
            g.writeNumberField("rateLimited", (long) m.rateLimitedTotal());
            java.util.Map<String, Integer> apps = m.pusherApps();
            if (apps != null) { // the Pusher front door is on: its connections, of "connections" above, by app
                g.writeObjectFieldStart("pusher");
                g.writeNumberField("connections", m.pusherConnectionsOpen());
                g.writeObjectFieldStart("apps");
                for (java.util.Map.Entry<String, Integer> a : apps.entrySet()) {
                    g.writeNumberField(a.getKey(), a.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeObjectFieldStart("latencyMicros");
            g.writeNumberField("p50", latency[0]);
            g.writeNumberField("p90", latency[1]);
            g.writeNumberField("p99", latency[2]);
            g.writeNumberField("max", latency[3]);
            g.writeNumberField("count", latency[4]);
            g.writeEndObject();
            Runtime rt = Runtime.getRuntime();
            g.writeNumberField("heapUsedBytes", rt.totalMemory() - rt.freeMemory());
            g.writeNumberField("directMemoryBytes", io.netty.util.internal.PlatformDependent.usedDirectMemory());
            Map<String, Consumers.Status> cs = consumers.get();
            if (!cs.isEmpty()) {
                g.writeArrayFieldStart("consumers");
                for (Map.Entry<String, Consumers.Status> e : cs.entrySet()) {
                    Consumers.Status c = e.getValue();
                    g.writeStartObject();
                    g.writeStringField("source", e.getKey());
                    g.writeBooleanField("reachable", c.reachable());
                    if (c.problem() != null) {
                        g.writeStringField("problem", c.problem());
                    }
                    g.writeNumberField("published", c.published());
                    g.writeNumberField("deadLetters", c.deadLetters());
                    g.writeNumberField("errors", c.errors());
                    g.writeNumberField("lag", c.lag());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        });
    }
}
