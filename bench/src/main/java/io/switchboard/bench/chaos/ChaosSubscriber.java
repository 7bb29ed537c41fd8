package io.switchboard.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One raw-protocol subscriber of one channel with history. It keeps the last position it saw and, like a
 * careful client written from protocol.md alone, subscribes again with {@code since} after every
 * disconnect (on the next node: it does not know which ones are down), after an {@code unsubscribed}
 * push, and after its own random drops (half of them an abrupt close, half an unsubscribe on the same
 * connection). A connection silent for 3 s (its client pings once a second) counts as dead: that is how
 * a frozen node is noticed. Everything runs on the run's one client thread.
 */
final class ChaosSubscriber implements WsConn.Handler {

    private enum State { CONNECTING, WAITING_WELCOME, SUBSCRIBING, SUBSCRIBED, UNSUBSCRIBING, IDLE, STOPPED }

    final String user;
    final String channel;
    final OffsetCheck check = new OffsetCheck();
    private final Clients clients;
    private int nodeCursor;
    private WsConn conn;
    private State state = State.CONNECTING;
    private String pendingId;
    private long pendingSinceNanos;
    private int ids;

    long connects;
    long disconnects;
    long ownDrops;
    long silentNodes;
    long sinceSubscribes;
    long recoveredTrue;
    final Map<String, Long> recoveredFalse = new TreeMap<>();
    final Map<String, Long> unsubscribedPushes = new TreeMap<>();
    final Map<String, Long> subscribeErrors = new TreeMap<>();
    long messagesBeforeAck;
    long messagesAfterUnsubscribe;

    ChaosSubscriber(Clients clients, String user, String channel, int firstNode) {
        this.clients = clients;
        this.user = user;
        this.channel = channel;
        this.nodeCursor = firstNode;
    }

    void start() {
        connect();
    }

    boolean subscribed() {
        return state == State.SUBSCRIBED;
    }

    private void connect() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        int node = Math.floorMod(nodeCursor, clients.ports.size());
        WsConn.open(clients.http, node, clients.ports.get(node), clients.token(user), clients.loop, this)
                .whenCompleteAsync((c, e) -> {
                    if (e != null) {
                        nodeCursor++;
                        later(this::connect, 200);
                    } else if (state == State.STOPPED) {
                        c.abort();
                    } else {
                        conn = c;
                        connects++;
                        state = State.WAITING_WELCOME;
                    }
                }, clients.loop);
    }

    private void subscribe() {
        if (conn == null || state == State.STOPPED) {
            return;
        }
        ObjectNode cmd = envelope("subscribe");
        if (check.epoch != null) {
            cmd.putObject("since").put("epoch", check.epoch).put("offset", check.position);
            sinceSubscribes++;
        }
        state = State.SUBSCRIBING;
        conn.send(cmd.toString());
    }

    private ObjectNode envelope(String type) {
        ObjectNode cmd = WsConn.MAPPER.createObjectNode().put("v", 1).put("type", type).put("id", "s" + (++ids));
        cmd.put("channel", channel);
        pendingId = cmd.get("id").asText();
        pendingSinceNanos = System.nanoTime();
        return cmd;
    }

    @Override
    public void onEnvelope(WsConn c, JsonNode env) {
        if (c != conn) {
            return;
        }
        String type = env.path("type").asText();
        String id = env.path("id").asText(null);
        switch (type) {
            case "welcome" -> subscribe();
            case "ack" -> {
                if (id != null && id.equals(pendingId)) {
                    pendingId = null;
                    if (state == State.SUBSCRIBING) {
                        subscribed(env.path("payload"));
                    } else if (state == State.UNSUBSCRIBING) {
                        resubscribeLater(100 + clients.random.nextInt(400));
                    }
                }
            }
            case "error" -> {
                if (id != null && id.equals(pendingId)) {
                    pendingId = null;
                    if (state == State.SUBSCRIBING) {
                        subscribeErrors.merge(env.path("code").asText(), 1L, Long::sum);
                    }
                    resubscribeLater(300);
                }
            }
            case "message" -> {
                if (!channel.equals(env.path("channel").asText())) {
                    return;
                }
                if (state == State.SUBSCRIBED) {
                    check.message(env.path("epoch").asText(), env.path("offset").asLong());
                    clients.seen(channel, env);
                } else if (state == State.SUBSCRIBING) {
                    messagesBeforeAck++; // protocol.md 4.3: none before the ack on a channel with history
                } else {
                    messagesAfterUnsubscribe++; // allowed (4.3, 4.10): the client drops them
                }
            }
            case "unsubscribed" -> {
                if (channel.equals(env.path("channel").asText()) && state == State.SUBSCRIBED) {
                    unsubscribedPushes.merge(env.path("code").asText(), 1L, Long::sum);
                    clients.presence.left(user);
                    subscribe(); // protocol.md 4.10: subscribe again at once, with since
                }
            }
            case "presenceUpdate" -> {
                JsonNode p = env.path("payload");
                clients.presence.push(env.path("channel").asText(), p.path("userId").asText(), p.path("status").asText(),
                        p.path("timestamp").asLong());
            }
            case "ping" -> {
                if (id == null) {
                    c.send("{\"v\":1,\"type\":\"pong\"}");
                }
            }
            default -> {
                // pong to our liveness pings
            }
        }
    }

    private void subscribed(JsonNode p) {
        state = State.SUBSCRIBED;
        boolean recovered = p.path("recovered").asBoolean();
        String reason = p.path("reason").asText(null);
        boolean hadPosition = check.epoch != null;
        if (hadPosition) {
            if (recovered) {
                recoveredTrue++;
            } else {
                recoveredFalse.merge(reason == null ? "(none)" : reason, 1L, Long::sum);
            }
        }
        check.ack(p.path("epoch").asText(), p.path("offset").asLong(), recovered, reason, "on node " + conn.node);
    }

    @Override
    public void onClosed(WsConn c, String why) {
        if (c != conn) {
            return;
        }
        conn = null;
        pendingId = null;
        clients.presence.left(user);
        if (state == State.STOPPED) {
            return;
        }
        disconnects++;
        nodeCursor++;
        state = State.CONNECTING;
        later(this::connect, 100 + clients.random.nextInt(200));
    }

    /** Once a second: ping, and give up on a connection that has been silent for 3 s or a command unanswered for 10 s. */
    void tick() {
        WsConn c = conn;
        if (c == null || state == State.STOPPED) {
            return;
        }
        boolean stuck = pendingId != null && System.nanoTime() - pendingSinceNanos > TimeUnit.SECONDS.toNanos(10);
        if (c.silentMillis() > 3000 || stuck) {
            silentNodes++;
            c.abort();
            return;
        }
        c.send("{\"v\":1,\"type\":\"ping\",\"id\":\"live\"}");
    }

    /** A drop of the subscriber's own: an abrupt close, or an unsubscribe and a resubscribe with since. */
    void drop() {
        if (state != State.SUBSCRIBED || conn == null) {
            return;
        }
        ownDrops++;
        if (clients.random.nextBoolean()) {
            conn.abort();
        } else {
            clients.presence.left(user);
            state = State.UNSUBSCRIBING;
            conn.send(envelope("unsubscribe").toString());
        }
    }

    void stop() {
        state = State.STOPPED;
        if (conn != null) {
            conn.abort();
        }
    }

    private void resubscribeLater(long millis) {
        state = State.IDLE;
        WsConn c = conn;
        later(() -> {
            if (conn == c && state == State.IDLE) {
                subscribe();
            }
        }, millis);
    }

    private void later(Runnable r, long millis) {
        clients.loop.schedule(r, millis, TimeUnit.MILLISECONDS);
    }
}
