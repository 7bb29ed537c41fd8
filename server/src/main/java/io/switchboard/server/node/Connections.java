package io.switchboard.server.node;

import io.switchboard.protocol.CloseCode;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The node's open client connections, of every front door. Thread-safe. */
public final class Connections {

    // Added when a connection is established, removed when it is gone.
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();

    public void add(Connection c) {
        open.add(c);
    }

    public void remove(Connection c) {
        open.remove(c);
    }

    public int size() {
        return open.size();
    }

    public boolean isEmpty() {
        return open.isEmpty();
    }

    public void forEach(Consumer<Connection> action) {
        open.forEach(action);
    }

    /** Ends every connection of {@code userId} with {@code code}; returns how many there were. */
    public int disconnectUser(String userId, CloseCode code) {
        int n = 0;
        for (Connection c : open) {
            if (c.userId().equals(userId)) {
                c.close(code);
                n++;
            }
        }
        return n;
    }

    /** Ends {@code userId}'s subscriptions to {@code channel} on this node. */
    public void unsubscribeUser(String userId, String channel) {
        for (Connection c : open) {
            if (c.userId().equals(userId)) {
                c.unsubscribeByServer(channel);
            }
        }
    }
}
