package io.switchboard.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One raw-protocol publisher (its own user, so its idempotency keys are its own). Every publication has a
 * unique key, also carried in the payload ({@code {"key":"p1-17"}}) so that it can be found in history.
 * A publish that gets {@code unavailable}, or no ack within 3 s, or whose connection drops, is sent again
 * with the same key, through whichever node the publisher reaches next, until it is acknowledged.
 * Runs on the run's one client thread.
 */
final class ChaosPublisher implements WsConn.Handler {

    /** One publication and what became of it. */
    static final class Pub {
        final String key;
        final String channel;
        int sends;
        long sentNanos;
        String epoch;
        long offset = -1;
        String refused;

        Pub(String key, String channel) {
            this.key = key;
            this.channel = channel;
        }

        boolean acked() {
            return offset >= 0;
        }
    }

    final String user;
    private final Clients clients;
    private int nodeCursor;
    private WsConn conn;
    private boolean ready;
    private boolean stopped;
    private int ids;
    private long seq;
    final List<Pub> all = new ArrayList<>();
    private final ArrayDeque<Pub> toSend = new ArrayDeque<>();
    private final Map<String, Pub> inFlight = new HashMap<>();

    long ackTimeouts;
    long disconnects;
    /** A retry acknowledged with another position than the first ack: the idempotency key did not hold. */
    long ackMismatches;
    final List<String> mismatchExamples = new ArrayList<>();
    final Map<String, Long> errors = new TreeMap<>();

    ChaosPublisher(Clients clients, String user, int firstNode) {
        this.clients = clients;
        this.user = user;
        this.nodeCursor = firstNode;
    }

    void start() {
        connect();
    }

    private void connect() {
        if (stopped) {
            return;
        }
        int node = Math.floorMod(nodeCursor, clients.ports.size());
        WsConn.open(clients.http, node, clients.ports.get(node), clients.token(user), clients.loop, this)
                .whenCompleteAsync((c, e) -> {
                    if (e != null) {
                        nodeCursor++;
                        clients.loop.schedule(this::connect, 200, TimeUnit.MILLISECONDS);
                    } else if (stopped) {
                        c.abort();
                    } else {
                        conn = c;
                    }
                }, clients.loop);
    }

    /** A new publication on {@code channel}. */
    void publish(String channel) {
        Pub p = new Pub(user + "-" + (++seq), channel);
        all.add(p);
        toSend.add(p);
        flush();
    }

    private void flush() {
        while (ready && conn != null && !toSend.isEmpty()) {
            Pub p = toSend.poll();
            if (p.acked() || p.refused != null) {
                continue;
            }
            String id = "p" + (++ids);
            ObjectNode cmd = WsConn.MAPPER.createObjectNode().put("v", 1).put("type", "publish").put("id", id)
                    .put("channel", p.channel).put("idempotencyKey", p.key);
            cmd.putObject("payload").put("key", p.key);
            inFlight.put(id, p);
            p.sends++;
            p.sentNanos = System.nanoTime();
            conn.send(cmd.toString());
        }
    }

    @Override
    public void onEnvelope(WsConn c, JsonNode env) {
        if (c != conn) {
            return;
        }
        String id = env.path("id").asText(null);
        switch (env.path("type").asText()) {
            case "welcome" -> {
                ready = true;
                flush();
            }
            case "ack" -> {
                Pub p = id == null ? null : inFlight.remove(id);
                if (p != null) {
                    acked(p, env.path("payload"));
                }
            }
            case "error" -> {
                Pub p = id == null ? null : inFlight.remove(id);
                if (p != null) {
                    errors.merge(env.path("code").asText(), 1L, Long::sum);
                    if (env.path("retryable").asBoolean()) {
                        clients.loop.schedule(() -> {
                            toSend.add(p);
                            flush();
                        }, 250, TimeUnit.MILLISECONDS);
                    } else {
                        p.refused = env.path("code").asText();
                    }
                }
            }
            case "ping" -> {
                if (id == null) {
                    c.send("{\"v\":1,\"type\":\"pong\"}");
                }
            }
            default -> {
                // pongs
            }
        }
    }

    private void acked(Pub p, JsonNode payload) {
        String epoch = payload.path("epoch").asText();
        long offset = payload.path("offset").asLong(-1);
        if (p.acked() && (p.offset != offset || !p.epoch.equals(epoch))) {
            ackMismatches++;
            if (mismatchExamples.size() < OffsetCheck.EXAMPLES) {
                mismatchExamples.add(p.key + " acked at " + p.epoch + "/" + p.offset + " and again at " + epoch + "/" + offset);
            }
            return;
        }
        p.epoch = epoch;
        p.offset = offset;
    }

    @Override
    public void onClosed(WsConn c, String why) {
        if (c != conn) {
            return;
        }
        conn = null;
        ready = false;
        requeueInFlight();
        if (!stopped) {
            disconnects++;
            nodeCursor++;
            clients.loop.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
        }
    }

    private void requeueInFlight() {
        toSend.addAll(inFlight.values());
        inFlight.clear();
    }

    /** Once a second: a publish unanswered for 3 s, or a connection silent for 3 s, costs the connection. */
    void tick() {
        WsConn c = conn;
        if (c == null || stopped) {
            return;
        }
        long now = System.nanoTime();
        boolean late = false;
        for (Iterator<Pub> it = inFlight.values().iterator(); it.hasNext() && !late; ) {
            late = now - it.next().sentNanos > TimeUnit.SECONDS.toNanos(3);
        }
        if (late || c.silentMillis() > 3000) {
            if (late) {
                ackTimeouts++;
            }
            c.abort();
            return;
        }
        c.send("{\"v\":1,\"type\":\"ping\",\"id\":\"live\"}");
    }

    /** Every publication acknowledged (or refused for good). */
    boolean settled() {
        return inFlight.isEmpty() && toSend.stream().allMatch(p -> p.acked() || p.refused != null)
                && all.stream().allMatch(p -> p.acked() || p.refused != null);
    }

    void stop() {
        stopped = true;
        if (conn != null) {
            conn.abort();
        }
    }
}
