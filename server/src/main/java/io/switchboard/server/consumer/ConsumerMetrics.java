package io.switchboard.server.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one consumer, tagged {@code source=outbox} or {@code source=kafka}:
 * {@code switchboard_consumer_published_total}, {@code switchboard_consumer_dead_letters_total} (by
 * {@code reason}), {@code switchboard_consumer_errors_total} (source or engine failures),
 * {@code switchboard_consumer_lag} (rows or records waiting) and {@code switchboard_consumer_reachable}.
 */
final class ConsumerMetrics {

    private final MeterRegistry registry;
    private final String source;
    private final Counter published;
    private final Counter errors;
    private final Map<String, Counter> dead = new ConcurrentHashMap<>();
    private final AtomicLong lag = new AtomicLong();

    ConsumerMetrics(MeterRegistry registry, String source, SourceConsumer consumer) {
        this.registry = registry;
        this.source = source;
        published = Counter.builder("switchboard.consumer.published").tag("source", source)
                .description("Publications made from rows or records of the source (duplicates the idempotency key caught included)")
                .register(registry);
        errors = Counter.builder("switchboard.consumer.errors").tag("source", source)
                .description("Failures reaching the source or publishing to the engine; the consumer retries")
                .register(registry);
        Gauge.builder("switchboard.consumer.lag", lag, AtomicLong::get).tag("source", source)
                .description("Rows or records waiting to be published (outbox: in this node's partitions; kafka: in its assigned partitions)")
                .register(registry);
        Gauge.builder("switchboard.consumer.reachable", consumer, c -> c.reachable() ? 1 : 0).tag("source", source)
                .description("1 while the consumer reaches its source, 0 otherwise").register(registry);
    }

    void published(int n) {
        published.increment(n);
    }

    void error() {
        errors.increment();
    }

    /** {@code reason} is one of a few fixed words (unknown_channel, not_json, ...), never client text. */
    void deadLetter(String reason) {
        dead.computeIfAbsent(reason, r -> Counter.builder("switchboard.consumer.dead.letters").tag("source", source).tag("reason", r)
                .description("Rows or records moved aside because they cannot be published").register(registry)).increment();
    }

    void lag(long n) {
        lag.set(n);
    }

    double publishedTotal() {
        return published.count();
    }

    double errorsTotal() {
        return errors.count();
    }

    long lagNow() {
        return lag.get();
    }

    double deadLettersTotal() {
        return dead.values().stream().mapToDouble(Counter::count).sum();
    }
}
