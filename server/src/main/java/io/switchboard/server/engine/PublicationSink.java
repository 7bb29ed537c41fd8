package io.switchboard.server.engine;

/**
 * Where an engine delivers the publications of channels this node subscribed to. The engine calls it
 * for one channel's publications one at a time, in offset (publish) order; it may call it from any
 * thread, and for different channels concurrently.
 */
@FunctionalInterface
public interface PublicationSink {
    void onPublication(Publication publication);

    /** A presence change in a channel this node subscribed to; same threading rules as publications. */
    default void onPresenceUpdate(PresenceUpdate update) {
    }

    /** A control message some node broadcast with {@link Engine#broadcastControl}; any thread. */
    default void onControl(byte[] message) {
    }

    /**
     * Some publications of a subscribed channel could not be delivered to this node (its link to the
     * cluster was down, and the channel keeps no history, or its stream no longer has them). The local
     * subscribers must be told, so that they can subscribe again and recover what the stream still has.
     */
    default void onGap(String channel) {
    }

    /**
     * The engine's connection to the shared state came back after it was lost. What this node keeps alive
     * there (its connections' presence entries) may be close to expiring after the outage and should be
     * renewed now rather than at the next periodic renewal. Any thread; must not block.
     */
    default void onReconnected() {
    }
}
