package io.switchboard.server.engine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What nodes tell each other besides publications: control messages, and each node's figures. */
public interface ClusterBus {

    /**
     * Sends a control message (the node's disconnect and unsubscribe requests, as JSON bytes) to every node
     * of the cluster, this one included, through {@link PublicationSink#onControl}. A single-node engine hands
     * it straight back to its own sink. A failed future means it may have reached no node; a completed one
     * that it was handed to the cluster (nodes that are down at that moment miss it).
     */
    CompletableFuture<Void> broadcastControl(byte[] message);

    /**
     * Records this node's current figures (JSON bytes) so that any node can list the cluster; an entry not
     * reported again within {@code ttl} disappears (the node died). A failed future: not recorded this time.
     */
    CompletableFuture<Void> reportNode(String nodeId, byte[] stats, Duration ttl);

    /** Every live node's last report, by node id; a single-node engine knows only its own. */
    CompletableFuture<Map<String, byte[]>> nodes();
}
