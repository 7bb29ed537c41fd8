package io.switchboard.server.node;

import io.switchboard.protocol.CloseCode;
import io.switchboard.server.events.Events;
import io.switchboard.server.util.SlotArray;
import java.util.function.Consumer;

/**
 * The node's open client connections, of every front door. Thread-safe: adds and removes take the lock of
 * {@code open}, walks take none (a {@link SlotArray}: a reference per connection, and the connection's slot kept
 * in the connection, rather than a concurrent set's 32-byte node; a walk sees every connection open before it
 * began and not closed since, as a concurrent set's iterator would). A connection that closes without having
 * been added (its handshake's answer failed) is not looked for.
 */
public final class Connections {

    private static final SlotArray.Slot<Connection> SLOT = SlotArray.Slot.of(Connection::connectionSlot, Connection::connectionSlot);

    // Added when a connection is established, removed when it is gone.
    private final SlotArray<Connection> open = new SlotArray<>(SLOT);
    private volatile Events events;
    /** The close code of a connection that ended without a close frame (RFC 6455 7.1.5). */
    private static final int ABNORMAL = 1006;

    /** Where connects and disconnects are reported as the backend's events (set once by the node). */
    void events(Events e) {
        this.events = e;
    }

    public void add(Connection c) {
        synchronized (open) {
            open.add(c);
        }
        Events e = events;
        if (e != null) {
            e.connected(c.id(), c.userId(), c.userId().isEmpty());
        }
    }

    /** The connection is gone; for the backend's events it ended with 1006 (no close code known). */
    public void remove(Connection c) {
        remove(c, ABNORMAL);
    }

    /** The connection is gone, having ended with {@code closeCode} (sent or received). */
    public void remove(Connection c, int closeCode) {
        boolean was;
        synchronized (open) {
            was = open.remove(c);
        }
        Events e = events;
        if (was && e != null) {
            CloseCode known = CloseCode.fromCode(closeCode);
            e.disconnected(c.id(), closeCode, known != null ? known.reason() : closeCode == ABNORMAL ? "abnormal" : "");
        }
    }

    public int size() {
        return open.size();
    }

    public boolean isEmpty() {
        return open.size() == 0;
    }

    public void forEach(Consumer<Connection> action) {
        open.forEach(action);
    }

    /** Ends every connection of {@code userId} with {@code code}; returns how many there were. */
    public int disconnectUser(String userId, CloseCode code) {
        int[] n = {0};
        open.forEach(c -> {
            if (c.userId().equals(userId)) {
                c.close(code);
                n[0]++;
            }
        });
        return n[0];
    }

    /** Subscribes every connection of {@code userId} on this node to {@code channel} (server-side). */
    public void subscribeUser(String userId, String channel) {
        open.forEach(c -> {
            if (c.userId().equals(userId)) {
                c.subscribeByServer(channel);
            }
        });
    }

    /** Ends {@code userId}'s subscriptions to {@code channel} on this node. */
    public void unsubscribeUser(String userId, String channel) {
        open.forEach(c -> {
            if (c.userId().equals(userId)) {
                c.unsubscribeByServer(channel);
            }
        });
    }
}
