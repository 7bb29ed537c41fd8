package io.switchboard.server.engine;

/**
 * One message published to a channel, as the engine delivers it to every node with subscribers.
 *
 * @param channel   the channel name
 * @param payload   the raw JSON payload bytes as the publisher sent them; never modified
 * @param from      the publisher's user id, or null for anonymous and server-API publishers
 * @param offset    the position in the channel's history stream, or -1 when the channel keeps none
 * @param epoch     the history stream's epoch, or null when the channel keeps none
 * @param timestamp milliseconds since the epoch when the publication was accepted
 * @param clientId  the publishing connection's session id, or null
 * @param ingressNanos {@link System#nanoTime()} when the publish entered this node, or 0 when it entered
 *                  another node (only this JVM's clock is comparable); feeds the delivery-latency metric
 */
public record Publication(String channel, byte[] payload, String from, long offset, String epoch, long timestamp,
                          String clientId, long ingressNanos) {

    /** A publication that entered through another node (no local ingress time). */
    public Publication(String channel, byte[] payload, String from, long offset, String epoch, long timestamp,
                       String clientId) {
        this(channel, payload, from, offset, epoch, timestamp, clientId, 0L);
    }

    public boolean hasPosition() {
        return epoch != null;
    }
}
