package io.switchboard.server.engine.redis;

import java.util.concurrent.CompletableFuture;

/**
 * How the Redis engine's live messages travel between nodes: Redis pub/sub ({@link RedisPubSubBroker}) or
 * NATS ({@code NatsBroker}). The engine orders, stores and de-duplicates; the broker only carries the
 * encoded messages ({@link Wire}) of channels this node subscribed to, and control messages to every node.
 */
public interface LiveBroker extends AutoCloseable {

    /** What the broker hands back; called from the broker's threads, one channel's messages one at a time. */
    interface Receiver {
        void onMessage(String channel, byte[] message);

        void onControl(byte[] message);

        /** The connection to the broker was lost and is back: messages of every channel may have been missed. */
        void onReconnected();

        /** The subscription to one channel was restored after a lost connection: its messages may have been missed. */
        default void onRestored(String channel) {
            onReconnected();
        }
    }

    CompletableFuture<Void> start(Receiver receiver);

    /** Completes when messages of the channel are being received. */
    CompletableFuture<Void> subscribe(String channel);

    /** Stops receiving the channel's messages. */
    void unsubscribe(String channel);

    /**
     * Sends a message the engine has just stored (or a presence announcement) to the nodes subscribed to the
     * channel. Best effort: a node that misses it reads it back from the stream when the next message shows
     * the hole, or when its connection is back. A broker whose messages the engine's scripts publish
     * themselves ({@link #scriptChannel}) does nothing here.
     */
    CompletableFuture<Void> publish(String channel, byte[] message);

    /**
     * The Redis pub/sub channel the engine's scripts publish a channel's messages to, atomically with storing
     * them, or an empty array when this broker carries them itself ({@link #publish}).
     */
    default byte[] scriptChannel(String channel) {
        return new byte[0];
    }

    CompletableFuture<Void> publishControl(byte[] message);

    /** True once messages and control messages can be received (the control subscription is live) and sent. */
    boolean isReady();

    String name();

    @Override
    void close();
}
