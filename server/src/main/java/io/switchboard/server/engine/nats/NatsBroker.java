package io.switchboard.server.engine.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.switchboard.server.engine.redis.LiveBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live delivery between nodes over NATS (core NATS, no JetStream): one subject per channel,
 * {@code sb.p.<channel name in base64url>}, so that any channel name is a valid single subject token,
 * and {@code sb.control} for control messages. NATS carries only what Redis already ordered and stored;
 * the Redis engine's feeds put messages back in offset order and fill holes from the stream.
 *
 * <p>The connection is made in the background and retried for ever; jnats subscribes again by itself
 * after a reconnect, and the engine is then told to repair what it may have missed.
 */
public final class NatsBroker implements LiveBroker {

    private static final Logger log = LoggerFactory.getLogger(NatsBroker.class);
    private static final String PREFIX = "sb.p.";
    private static final String CONTROL = "sb.control";

    private final String url;
    private final Set<String> subjects = ConcurrentHashMap.newKeySet();
    // flush() blocks until the server has the subscription: done here, never on an event loop.
    private final ExecutorService flusher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "switchboard-nats-flush");
        t.setDaemon(true);
        return t;
    });
    private volatile Connection connection;
    private volatile Dispatcher dispatcher;
    private volatile Receiver receiver;
    // True once NATS confirmed the control subscription (a flush after it).
    private volatile boolean controlLive;

    public NatsBroker(String url) {
        this.url = url;
    }

    @Override
    public CompletableFuture<Void> start(Receiver receiver) {
        this.receiver = receiver;
        Options options = new Options.Builder()
                .server(url)
                .connectionName("switchboard")
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .connectionTimeout(Duration.ofSeconds(2))
                .connectionListener(this::event)
                .errorListener(new io.nats.client.ErrorListener() {
                })
                .build();
        try {
            Nats.connectAsynchronously(options, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(null);
    }

    private void event(Connection conn, ConnectionListener.Events event) {
        switch (event) {
            case CONNECTED -> {
                if (dispatcher == null) {
                    connection = conn;
                    dispatcher = conn.createDispatcher(msg -> {
                        Receiver r = receiver;
                        if (msg.getSubject().equals(CONTROL)) {
                            r.onControl(msg.getData());
                        } else if (msg.getSubject().startsWith(PREFIX)) {
                            r.onMessage(channelOf(msg.getSubject()), msg.getData());
                        }
                    });
                    dispatcher.subscribe(CONTROL);
                    subjects.forEach(dispatcher::subscribe);
                    // Ready only once NATS has the control subscription: a node that answers /readyz must not
                    // miss a disconnect broadcast right after.
                    flusher.execute(() -> confirmSubscriptions(conn));
                    log.info("connected to NATS at {}", url);
                }
            }
            case DISCONNECTED -> log.warn("lost the connection to NATS at {}; reconnecting", url);
            case RESUBSCRIBED -> {
                log.info("NATS connection restored; repairing any gap");
                Receiver r = receiver;
                if (r != null) {
                    r.onReconnected();
                }
            }
            default -> {
            }
        }
    }

    private void confirmSubscriptions(Connection conn) {
        while (!controlLive && conn.getStatus() != Connection.Status.CLOSED) {
            try {
                conn.flush(Duration.ofSeconds(5));
                controlLive = true;
            } catch (java.util.concurrent.TimeoutException | IllegalStateException e) {
                log.debug("NATS has not confirmed the control subscription yet: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        String subject = subjectOf(channel);
        subjects.add(subject);
        Dispatcher d = dispatcher;
        Connection c = connection;
        if (d == null || c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return CompletableFuture.failedFuture(new IllegalStateException("NATS at " + url + " is unavailable"));
        }
        d.subscribe(subject);
        return CompletableFuture.runAsync(() -> {
            try {
                c.flush(Duration.ofSeconds(5));
            } catch (Exception e) {
                throw new IllegalStateException("NATS did not confirm the subscription: " + e.getMessage(), e);
            }
        }, flusher);
    }

    @Override
    public void unsubscribe(String channel) {
        String subject = subjectOf(channel);
        subjects.remove(subject);
        Dispatcher d = dispatcher;
        if (d != null) {
            try {
                d.unsubscribe(subject);
            } catch (IllegalStateException closed) {
                // the connection is closing
            }
        }
    }

    /**
     * Best effort: the message is already stored in Redis, so a node that does not get it live reads it from
     * the stream when the next one shows the hole, or when its own NATS connection is back.
     */
    @Override
    public CompletableFuture<Void> publish(String channel, byte[] message) {
        Connection c = connection;
        if (c != null) {
            try {
                c.publish(subjectOf(channel), message); // buffered by jnats, also while it reconnects
            } catch (RuntimeException e) {
                log.debug("NATS publish on {} failed: {}", channel, e.toString());
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> publishControl(byte[] message) {
        Connection c = connection;
        if (c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return CompletableFuture.failedFuture(new IllegalStateException("NATS at " + url + " is unavailable"));
        }
        c.publish(CONTROL, message);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isReady() {
        Connection c = connection;
        return controlLive && c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public void close() {
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flusher.shutdownNow();
    }

    static String subjectOf(String channel) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(channel.getBytes(StandardCharsets.UTF_8));
    }

    static String channelOf(String subject) {
        return new String(Base64.getUrlDecoder().decode(subject.substring(PREFIX.length())), StandardCharsets.UTF_8);
    }
}
