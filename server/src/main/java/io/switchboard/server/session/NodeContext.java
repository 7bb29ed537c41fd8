package io.switchboard.server.session;

import io.switchboard.protocol.EnvelopeDecoder;
import io.switchboard.server.auth.Authenticator;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.hub.Hub;
import io.switchboard.server.metrics.Metrics;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What every session of a node shares: its settings, the hub, the codec and the set of live sessions. */
public final class NodeContext {

    private static final char[] ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();

    private final ServerConfig config;
    private final Hub hub;
    private final Authenticator authenticator;
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final String serverVersion;
    private final SecureRandom random = new SecureRandom();
    // Every open session; added when the welcome is sent, removed when the channel closes.
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Metrics metrics;
    private final String nodeId;
    private final long startedAt = System.currentTimeMillis();

    public NodeContext(ServerConfig config, Hub hub, Authenticator authenticator, String serverVersion, Metrics metrics) {
        this.config = config;
        this.hub = hub;
        this.authenticator = authenticator;
        this.serverVersion = serverVersion;
        this.metrics = metrics;
        this.nodeId = config.nodeName() != null ? config.nodeName() : newSessionId().substring(0, 8);
    }

    public Metrics metrics() {
        return metrics;
    }

    /** This node's name in the cluster: {@code --node-name}, or random per run. */
    public String nodeId() {
        return nodeId;
    }

    /** Milliseconds since the epoch when the node started. */
    public long startedAt() {
        return startedAt;
    }

    /** Ends every session of {@code userId} with {@code code}; returns how many there were. Any thread. */
    public int disconnectUser(String userId, io.switchboard.protocol.CloseCode code) {
        int n = 0;
        for (Session s : sessions) {
            if (s.userId().equals(userId)) {
                s.close(code);
                n++;
            }
        }
        return n;
    }

    /** Ends the subscriptions of {@code userId}'s sessions to {@code channel} with an {@code unsubscribed} push. Any thread. */
    public void unsubscribeUser(String userId, String channel) {
        for (Session s : sessions) {
            if (s.userId().equals(userId)) {
                s.unsubscribeByServer(channel);
            }
        }
    }

    public ServerConfig config() {
        return config;
    }

    public Hub hub() {
        return hub;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public EnvelopeDecoder decoder() {
        return decoder;
    }

    public String serverVersion() {
        return serverVersion;
    }

    public Set<Session> sessions() {
        return sessions;
    }

    /** A random 16-character session id (about 95 bits). */
    public String newSessionId() {
        char[] id = new char[16];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
        }
        return new String(id);
    }
}
