package io.switchboard.server.consumer;

/**
 * A producer of publications that is not a WebSocket client: it reads rows or records from its source,
 * decodes them and publishes through the node's channel service. Runs on a thread of its own from
 * {@link #start()} until {@link #close()}.
 */
interface SourceConsumer extends AutoCloseable {

    /** {@code outbox} or {@code kafka}: the tag of its metrics and its key in {@code /readyz}. */
    String name();

    void start();

    /** True while the source answers; false before the first contact and after a failure. */
    boolean reachable();

    /** Why the source is not reachable, one line without secrets; null while it is. */
    String problem();

    /** Its meters. */
    ConsumerMetrics metrics();

    @Override
    void close();
}
