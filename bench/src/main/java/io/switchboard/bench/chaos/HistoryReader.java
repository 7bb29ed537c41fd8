package io.switchboard.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads a channel's whole history through a fresh anonymous connection, a page of up to 1000 at a time
 * ({@code history} with {@code since}, protocol.md 4.7). What the run's publishers were told is compared
 * with this afterwards.
 */
final class HistoryReader implements WsConn.Handler {

    record Entry(long offset, String key) {
    }

    record Stream(String channel, String epoch, long last, long earliest, List<Entry> entries) {
    }

    private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> welcome = new CompletableFuture<>();
    private int ids;

    private HistoryReader() {
    }

    /** Reads {@code channel} through node {@code node}; tries again (up to 5 times) if a page fails. */
    static Stream read(Clients clients, int node, String channel) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            HistoryReader r = new HistoryReader();
            WsConn c = null;
            try {
                c = WsConn.open(clients.http, node, clients.ports.get(node), null, clients.loop, r).get(10, TimeUnit.SECONDS);
                r.welcome.get(10, TimeUnit.SECONDS);
                return r.readAll(c, channel);
            } catch (Exception e) {
                last = e;
                Thread.sleep(500);
            } finally {
                if (c != null) {
                    c.abort();
                }
            }
        }
        throw new IllegalStateException("could not read the history of " + channel, last);
    }

    private Stream readAll(WsConn c, String channel) throws Exception {
        List<Entry> entries = new ArrayList<>();
        String epoch = null;
        long lastOffset = 0;
        long earliest = -1;
        long after = -1;
        while (true) {
            String id = "h" + (++ids);
            ObjectNode cmd = WsConn.MAPPER.createObjectNode().put("v", 1).put("type", "history").put("id", id)
                    .put("channel", channel).put("limit", 1000);
            if (epoch != null) {
                cmd.putObject("since").put("epoch", epoch).put("offset", after);
            }
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            waiting.put(id, answer);
            c.send(cmd.toString());
            JsonNode env = answer.get(10, TimeUnit.SECONDS);
            if (!env.path("type").asText().equals("ack")) {
                throw new IllegalStateException("history of " + channel + ": " + env);
            }
            JsonNode p = env.path("payload");
            if (epoch == null) {
                epoch = p.path("epoch").asText();
                earliest = p.path("earliest").asLong();
            }
            lastOffset = p.path("offset").asLong();
            JsonNode pubs = p.path("publications");
            for (JsonNode pub : pubs) {
                after = pub.path("offset").asLong();
                entries.add(new Entry(after, pub.path("payload").path("key").asText()));
            }
            if (pubs.isEmpty() || after >= lastOffset) {
                return new Stream(channel, epoch, lastOffset, earliest, entries);
            }
        }
    }

    @Override
    public void onEnvelope(WsConn c, JsonNode env) {
        String type = env.path("type").asText();
        if (type.equals("welcome")) {
            welcome.complete(null);
        } else if (type.equals("ping") && !env.has("id")) {
            c.send("{\"v\":1,\"type\":\"pong\"}");
        } else if (env.hasNonNull("id")) {
            CompletableFuture<JsonNode> f = waiting.remove(env.path("id").asText());
            if (f != null) {
                f.complete(env);
            }
        }
    }

    @Override
    public void onClosed(WsConn c, String why) {
        welcome.completeExceptionally(new IllegalStateException(why));
        waiting.values().forEach(f -> f.completeExceptionally(new IllegalStateException(why)));
    }
}
