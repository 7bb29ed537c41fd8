package io.switchboard.server.node;

import io.switchboard.protocol.CloseCode;

/**
 * One client connection of this node, as the node sees it, whatever protocol it speaks. Every method may
 * be called from any thread; implementations hop to the connection's own thread.
 */
public interface Connection {

    /** The connection's session id, unique in the cluster. */
    String id();

    /**
     * The client's IP address in its usual text form: the TCP peer's, or behind a trusted proxy the one
     * the proxy named (docs/deployment.md). Null when the front door does not know it.
     */
    default String clientAddress() {
        return null;
    }

    /** The user the connection authenticated as ("" when anonymous). */
    String userId();

    /** Starts closing the connection with {@code code} (the closing handshake of its protocol). */
    void close(CloseCode code);

    /**
     * Closes the socket at once, without a closing handshake: the node is stopping without a drain. The
     * connection's clean-up runs on its thread as after any close.
     */
    void abort();

    /** Ends the connection's subscription to {@code channel}, if any, and tells the client it was the server's doing. */
    void unsubscribeByServer(String channel);

    /**
     * Subscribes the connection to {@code channel} on the server's behalf (a server-side subscription), if it
     * is not subscribed already, and tells the client. Front doors whose protocol has no way to tell the client
     * ignore it (the default).
     */
    default void subscribeByServer(String channel) {
    }

    /** Renews the connection's presence entries before their TTL runs out. */
    void renewPresence();

    /**
     * Where the node keeps this connection among its open ones ({@link Connections}), as given to
     * {@link #connectionSlot(int)}. The node's alone, called under its lock, never by the connection: a front
     * door that keeps it in an {@code int} field starting at {@code SlotArray.NONE}, -1 (and does nothing else
     * with it), is found in constant time when it closes, and a close before it was ever added costs nothing;
     * one that keeps none (the default, {@code SlotArray.UNKNOWN}) is looked for by a scan of the open ones.
     */
    default int connectionSlot() {
        return io.switchboard.server.util.SlotArray.UNKNOWN;
    }

    /** Keeps {@code slot} for {@link #connectionSlot()}; the default keeps nothing. The node's alone, as there. */
    default void connectionSlot(int slot) {
    }
}
