package io.switchboard.server.engine.redis;

import java.util.concurrent.CompletableFuture;

/**
 * Live delivery between nodes when it does not go through Redis pub/sub (the NATS broker). The Redis
 * engine still orders, stores and de-duplicates; the broker only carries the encoded messages
 * ({@link Wire}) of channels this node subscribed to, and control messages to every node.
 */
public interface LiveBroker extends AutoCloseable {

    /** What the broker hands back; called from the broker's threads, one channel's messages one at a time. */
    interface Receiver {
        void onMessage(String channel, byte[] message);

        void onControl(byte[] message);

        /** The connection to the broker was lost and is back: messages may have been missed meanwhile. */
        void onReconnected();
    }

    CompletableFuture<Void> start(Receiver receiver);

    /** Completes when messages of the channel are being received. */
    CompletableFuture<Void> subscribe(String channel);

    void unsubscribe(String channel);

    CompletableFuture<Void> publish(String channel, byte[] message);

    CompletableFuture<Void> publishControl(byte[] message);

    boolean isReady();

    String name();

    @Override
    void close();
}
