package io.switchboard.server.consumer;

import io.switchboard.server.config.ConsumersConfig;
import io.switchboard.server.node.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's consumers, as its configuration names them (docs/consumers.md): front doors that read rows or
 * records instead of WebSocket frames and publish them through {@link Node#channels()}. Their classes
 * and client libraries are loaded only when one is configured. Started after the node, closed before it.
 */
public final class Consumers implements AutoCloseable {

    /**
     * One consumer as {@code /readyz} and the admin page see it: whether its source answers (and if not,
     * why), and its totals since start: publications made, rows or records moved aside, failures, and
     * what waits in its source now (the {@code switchboard_consumer_*} meters).
     */
    public record Status(boolean reachable, String problem, long published, long deadLetters, long errors, long lag) {
    }

    private final List<SourceConsumer> consumers;

    private Consumers(List<SourceConsumer> consumers) {
        this.consumers = consumers;
    }

    /** No consumers. */
    public static Consumers none() {
        return new Consumers(List.of());
    }

    /** Builds and starts the consumers {@code node}'s configuration names. */
    public static Consumers start(Node node) {
        ConsumersConfig cfg = node.config().consumers();
        if (!cfg.any()) {
            return none();
        }
        List<SourceConsumer> list = new ArrayList<>();
        if (cfg.outbox() != null) {
            list.add(new OutboxConsumer(cfg.outbox(), node.channels(), node.metrics().registry()));
        }
        if (cfg.kafka() != null) {
            list.add(new KafkaSource(cfg.kafka(), node.channels(), node.metrics().registry()));
        }
        list.forEach(SourceConsumer::start);
        return new Consumers(List.copyOf(list));
    }

    /** Each consumer's status by name ({@code outbox}, {@code kafka}), in a stable order; empty without consumers. */
    public Map<String, Status> status() {
        Map<String, Status> out = new LinkedHashMap<>();
        for (SourceConsumer c : consumers) {
            ConsumerMetrics m = c.metrics();
            out.put(c.name(), new Status(c.reachable(), c.problem(), (long) m.publishedTotal(), (long) m.deadLettersTotal(),
                    (long) m.errorsTotal(), m.lagNow()));
        }
        return out;
    }

    /** Stops every consumer; what they had not finished stays in its source for the next reader. */
    @Override
    public void close() {
        for (SourceConsumer c : consumers) {
            c.close();
        }
    }
}
