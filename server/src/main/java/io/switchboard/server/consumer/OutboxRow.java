package io.switchboard.server.consumer;

import java.nio.charset.StandardCharsets;

/**
 * One row of the outbox as read, and what it decodes to: the publication to make (channel, JSON payload,
 * idempotency key) or why it cannot be made.
 */
record OutboxRow(long id, String channel, String payload, String idempotencyKey, int partition) {

    /** The decoded publication, or the dead-letter code and reason: exactly one of the two is set. */
    record Decoded(OrderedPublisher.Item item, String code, String reason) {
    }

    /**
     * Decodes the row of table {@code table} of a node that reads {@code partitions} partitions. The
     * idempotency key is the row's own when it has one, else {@code outbox:<table>:<id>}.
     */
    Decoded decode(String table, int partitions) {
        if (partition < 0 || partition >= partitions) {
            return new Decoded(null, "bad_partition", "partition " + partition + " is not between 0 and " + (partitions - 1));
        }
        if (channel == null || channel.isEmpty()) {
            return new Decoded(null, "no_channel", "the row names no channel");
        }
        byte[] bytes = payload == null ? null : payload.getBytes(StandardCharsets.UTF_8);
        String problem = Payloads.problem(bytes);
        if (problem != null) {
            return new Decoded(null, "not_json", problem);
        }
        String key = idempotencyKey != null && !idempotencyKey.isEmpty() ? idempotencyKey : "outbox:" + table + ":" + id;
        return new Decoded(new OrderedPublisher.Item(channel, bytes, key), null, null);
    }
}
