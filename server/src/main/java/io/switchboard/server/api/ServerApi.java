package io.switchboard.server.api;

import static io.switchboard.server.api.ApiInput.bad;
import static io.switchboard.server.api.ApiInput.clip;
import static io.switchboard.server.api.ApiInput.number;
import static io.switchboard.server.api.ApiInput.optionalText;
import static io.switchboard.server.api.ApiInput.param;
import static io.switchboard.server.api.ApiInput.parse;
import static io.switchboard.server.api.ApiInput.payloadBytes;
import static io.switchboard.server.api.ApiInput.requireMethod;
import static io.switchboard.server.api.ApiInput.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.ChannelService;
import io.switchboard.server.node.HistoryPayload;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The HTTP server API for backends ({@code /api/...}, docs/api.md): publish, batches, presence, history,
 * channels, disconnect, unsubscribe, node info and stats. The caller has checked the API key; this
 * class checks everything else. Replies are JSON; errors carry a code from the protocol's error table
 * and the HTTP status {@link #status(ErrorCode)} maps it to. Stateless; any thread.
 */
public final class ServerApi {

    /** An answer: HTTP status and JSON body. */
    public record Reply(int status, byte[] body) {
        static Reply ok(byte[] body) {
            return new Reply(200, body);
        }
    }

    /** Most publications one batch may carry, and most channels one publish may name. */
    public static final int MAX_BATCH = 1000;
    static final int MAX_HISTORY_LIMIT = ChannelService.MAX_HISTORY_LIMIT;


    private final Node node;
    private final ChannelService channels;
    private final NodeStats stats;
    private final WebhookApi webhooks;

    public ServerApi(Node node, NodeStats stats) {
        this.node = node;
        this.channels = node.channels();
        this.stats = stats;
        this.webhooks = new WebhookApi(node.events());
    }

    /** The HTTP status for a protocol error code. */
    public static int status(ErrorCode code) {
        return switch (code) {
            case BAD_REQUEST, UNKNOWN_TYPE, UNSUPPORTED_VERSION -> 400;
            case UNAUTHORIZED, TOKEN_EXPIRED -> 401;
            case FORBIDDEN -> 403;
            case UNKNOWN_CHANNEL, NOT_AVAILABLE, NOT_SUBSCRIBED -> 404;
            case ALREADY_SUBSCRIBED -> 409;
            case UNRECOVERABLE -> 410;
            case TOO_LARGE -> 413;
            case LIMIT_EXCEEDED, RATE_LIMITED -> 429;
            case UNAVAILABLE -> 503;
            case INTERNAL -> 500;
            case REMOVED -> 410;
        };
    }

    /** The JSON error body every failing endpoint answers with. */
    public static byte[] errorBody(ErrorCode code, String message) {
        return Json.object(g -> {
            g.writeStringField("code", code.wireName());
            g.writeStringField("message", message);
        });
    }

    public static Reply error(ErrorCode code, String message) {
        return new Reply(status(code), errorBody(code, message));
    }

    /**
     * Answers one request. {@code path} is below {@code /api} (e.g. {@code /publish}); {@code body} is the
     * request body (empty for GET). Never fails: every problem becomes an error reply.
     */
    public CompletableFuture<Reply> handle(String method, String path, Map<String, List<String>> query, byte[] body,
                                           long ingressNanos) {
        CompletableFuture<Reply> reply;
        try {
            reply = route(method, path, query, body, ingressNanos);
        } catch (ApiException e) {
            reply = CompletableFuture.completedFuture(e.reply());
        } catch (ChannelException e) {
            reply = CompletableFuture.completedFuture(error(e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            reply = CompletableFuture.completedFuture(error(ErrorCode.INTERNAL, "unexpected fault: " + e));
        }
        return reply.exceptionally(ServerApi::fromFailure);
    }

    private static Reply fromFailure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof ApiException e) {
            return e.reply();
        }
        ChannelException c = ChannelException.of(cause, "the engine failed");
        return error(c.code(), c.getMessage());
    }

    private CompletableFuture<Reply> route(String method, String path, Map<String, List<String>> query, byte[] body,
                                           long ingressNanos) {
        switch (path) {
            case "/publish":
                requireMethod(method, "POST");
                return publish(parse(body), ingressNanos);
            case "/batch":
                requireMethod(method, "POST");
                return batch(parse(body), ingressNanos);
            case "/presence":
                requireMethod(method, "GET");
                return presence(query, false);
            case "/presence/count":
                requireMethod(method, "GET");
                return presence(query, true);
            case "/history":
                requireMethod(method, "GET");
                return history(query);
            case "/channels":
                requireMethod(method, "GET");
                return channels(param(query, "prefix", false));
            case "/disconnect":
                requireMethod(method, "POST");
                return disconnect(parse(body));
            case "/unsubscribe":
                requireMethod(method, "POST");
                return unsubscribe(parse(body));
            case "/subscribe":
                requireMethod(method, "POST");
                return subscribe(parse(body));
            case "/info":
                requireMethod(method, "GET");
                return info();
            case "/stats":
                requireMethod(method, "GET");
                return CompletableFuture.completedFuture(Reply.ok(stats.latest()));
            case "/webhooks/dead-letters":
                requireMethod(method, "GET");
                return webhooks.deadLetters(query);
            case "/webhooks/replay":
                requireMethod(method, "POST");
                return webhooks.replay(parse(body));
            default:
                throw new ApiException(ErrorCode.NOT_AVAILABLE, "no such endpoint: /api" + clip(path) + " (see docs/api.md)");
        }
    }

    // ---- publish ----------------------------------------------------------------------------------

    private CompletableFuture<Reply> publish(JsonNode req, long ingressNanos) {
        JsonNode payload = req.get("payload");
        if (payload == null) {
            throw bad("payload is required (any JSON value)");
        }
        String key = optionalText(req, "idempotencyKey");
        JsonNode one = req.get("channel");
        JsonNode many = req.get("channels");
        if ((one == null) == (many == null)) {
            throw bad("give either channel (a string) or channels (an array of strings)");
        }
        byte[] bytes = payloadBytes(payload);
        if (one != null) {
            String channel = text(one, "channel");
            return publishOne(channel, bytes, key, ingressNanos).thenApply(r -> Reply.ok(resultJson(channel, r)));
        }
        if (!many.isArray() || many.isEmpty() || many.size() > MAX_BATCH) {
            throw bad("channels must be an array of 1 to " + MAX_BATCH + " channel names");
        }
        List<String> channels = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode c : many) {
            String name = text(c, "channels[]");
            if (seen.add(name)) {
                channels.add(name);
            }
        }
        List<CompletableFuture<byte[]>> results = new ArrayList<>();
        for (String channel : channels) {
            results.add(outcome(channel, () -> publishOne(channel, bytes, key, ingressNanos)));
        }
        return allResults(results);
    }

    private CompletableFuture<Reply> batch(JsonNode req, long ingressNanos) {
        JsonNode list = req.get("publishes");
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_BATCH) {
            throw bad("publishes must be an array of 1 to " + MAX_BATCH + " objects {channel, payload, idempotencyKey?}");
        }
        // Every entry is checked before any is published: a malformed batch publishes nothing.
        List<Object[]> entries = new ArrayList<>();
        int i = 0;
        for (JsonNode p : list) {
            if (!p.isObject()) {
                throw bad("publishes[" + i + "] must be an object");
            }
            JsonNode payload = p.get("payload");
            if (payload == null) {
                throw bad("publishes[" + i + "].payload is required");
            }
            entries.add(new Object[] {text(p.get("channel"), "publishes[" + i + "].channel"), payloadBytes(payload),
                    optionalText(p, "idempotencyKey")});
            i++;
        }
        // Issued in order, so publications of one channel keep the batch's order.
        List<CompletableFuture<byte[]>> results = new ArrayList<>();
        for (Object[] e : entries) {
            String channel = (String) e[0];
            results.add(outcome(channel, () -> publishOne(channel, (byte[]) e[1], (String) e[2], ingressNanos)));
        }
        return allResults(results);
    }

    /** One channel's publish result as JSON, or its error, so one bad channel does not fail the rest. */
    private static CompletableFuture<byte[]> outcome(String channel, java.util.function.Supplier<CompletableFuture<PublishResult>> call) {
        CompletableFuture<PublishResult> f;
        try {
            f = call.get();
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(errorResult(channel, e.code, e.getMessage()));
        } catch (ChannelException e) {
            return CompletableFuture.completedFuture(errorResult(channel, e.code(), e.getMessage()));
        }
        return f.handle((r, failure) -> {
            if (failure == null) {
                return resultJson(channel, r);
            }
            ChannelException c = ChannelException.of(failure, "publish failed");
            return errorResult(channel, c.code(), c.getMessage());
        });
    }

    private static CompletableFuture<Reply> allResults(List<CompletableFuture<byte[]>> results) {
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> Reply.ok(Json.object(g -> {
            g.writeArrayFieldStart("results");
            for (CompletableFuture<byte[]> r : results) {
                g.writeRawValue(new String(r.join(), java.nio.charset.StandardCharsets.UTF_8));
            }
            g.writeEndArray();
        })));
    }

    private CompletableFuture<PublishResult> publishOne(String channel, byte[] payload, String key, long ingressNanos) {
        return channels.publish(Caller.server(), channel, payload, key, ingressNanos);
    }

    private static byte[] resultJson(String channel, PublishResult r) {
        return Json.object(g -> {
            g.writeStringField("channel", channel);
            if (r.hasPosition()) {
                g.writeNumberField("offset", r.offset());
                g.writeStringField("epoch", r.epoch());
            }
        });
    }

    private static byte[] errorResult(String channel, ErrorCode code, String message) {
        return Json.object(g -> {
            g.writeStringField("channel", channel);
            g.writeObjectFieldStart("error");
            g.writeStringField("code", code.wireName());
            g.writeStringField("message", message);
            g.writeEndObject();
        });
    }

    // ---- presence, history, channels -------------------------------------------------------------

    /** A page of presence ({@code limit}, {@code cursor}), or with {@code countOnly} the counts alone. */
    private CompletableFuture<Reply> presence(Map<String, List<String>> query, boolean countOnly) {
        String channel = param(query, "channel", true);
        int limit = countOnly ? 0 : (int) number(query, "limit", ChannelService.MAX_PRESENCE_LIMIT, 0, ChannelService.MAX_PRESENCE_LIMIT);
        String cursor = countOnly ? null : param(query, "cursor", false);
        return channels.presencePage(Caller.server(), channel, limit, cursor).thenApply(page -> {
            if (countOnly) {
                return Reply.ok(Json.object(g -> {
                    g.writeStringField("channel", channel);
                    g.writeNumberField("clients", page.clients());
                    g.writeNumberField("users", page.users());
                }));
            }
            return Reply.ok(withChannel(channel, HistoryPayload.presencePage(channel, page, Integer.MAX_VALUE)));
        });
    }

    private CompletableFuture<Reply> history(Map<String, List<String>> query) {
        String channel = param(query, "channel", true);
        int limit = (int) number(query, "limit", 100, 0, MAX_HISTORY_LIMIT);
        long since = number(query, "since", -1, -1, Long.MAX_VALUE);
        String epoch = param(query, "epoch", false);
        String reverse = param(query, "reverse", false);
        if (reverse != null && !reverse.equals("true") && !reverse.equals("false")) {
            throw bad("reverse must be true or false");
        }
        return channels.history(Caller.server(), channel, new HistoryQuery(since, limit, "true".equals(reverse)), epoch)
                .thenApply(h -> Reply.ok(withChannel(channel, HistoryPayload.of(h, Integer.MAX_VALUE))));
    }

    private CompletableFuture<Reply> channels(String prefix) {
        Map<String, Integer> found = channels.localChannels(prefix);
        return CompletableFuture.completedFuture(Reply.ok(Json.object(g -> {
            g.writeStringField("node", node.nodeId());
            g.writeArrayFieldStart("channels");
            for (Map.Entry<String, Integer> c : found.entrySet()) {
                g.writeStartObject();
                g.writeStringField("channel", c.getKey());
                g.writeNumberField("subscribers", c.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
        })));
    }

    // ---- disconnect, unsubscribe, info -----------------------------------------------------------

    private CompletableFuture<Reply> disconnect(JsonNode req) {
        String user = text(req.get("userId"), "userId");
        int code = CloseCode.DISCONNECTED.code();
        JsonNode c = req.get("code");
        if (c != null) {
            if (!c.canConvertToInt()) {
                throw bad("code must be a close code from the protocol's table");
            }
            code = c.intValue();
        }
        CloseCode close = CloseCode.fromCode(code);
        if (close == null || !(code == 1000 || code == 1001 || code >= 4000)) {
            throw bad("code " + code + " is not one the API may send: use 1000, 1001, or a 4xxx code from docs/protocol.md "
                    + "section 6 (4005 asks the client to reconnect, 4503 tells it not to)");
        }
        int chosen = code;
        return channels.disconnectUser(user, close).thenApply(v -> sent(g -> {
            g.writeStringField("userId", user);
            g.writeNumberField("code", chosen);
        }));
    }

    private CompletableFuture<Reply> unsubscribe(JsonNode req) {
        String user = text(req.get("userId"), "userId");
        String channel = text(req.get("channel"), "channel");
        return channels.unsubscribeUser(user, channel).thenApply(v -> sent(g -> {
            g.writeStringField("userId", user);
            g.writeStringField("channel", channel);
        }));
    }

    private CompletableFuture<Reply> subscribe(JsonNode req) {
        String user = text(req.get("userId"), "userId");
        String channel = text(req.get("channel"), "channel");
        return channels.subscribeUser(user, channel).thenApply(v -> sent(g -> {
            g.writeStringField("userId", user);
            g.writeStringField("channel", channel);
        }));
    }

    /** The answer to a cluster-wide request: its fields, and that it was sent to every node. */
    private static Reply sent(Json.Fields fields) {
        return Reply.ok(Json.object(g -> {
            fields.write(g);
            g.writeBooleanField("sent", true);
        }));
    }

    private CompletableFuture<Reply> info() {
        byte[] selfStats = stats.latest();
        return node.cluster().nodes().thenApply(all -> Reply.ok(Json.object(g -> {
            g.writeStringField("engine", node.engine().name());
            g.writeFieldName("node");
            g.writeRawValue(new String(selfStats, java.nio.charset.StandardCharsets.UTF_8));
            g.writeArrayFieldStart("nodes");
            boolean selfListed = false;
            for (Map.Entry<String, byte[]> n : new java.util.TreeMap<>(all).entrySet()) {
                boolean self = n.getKey().equals(node.nodeId());
                selfListed |= self;
                // This node's own entry is its fresh figures, not its last report (up to 5 s old).
                g.writeRawValue(new String(self ? selfStats : n.getValue(), java.nio.charset.StandardCharsets.UTF_8));
            }
            if (!selfListed) {
                // Not reported yet (the first report is moments after start): list this node anyway.
                g.writeRawValue(new String(selfStats, java.nio.charset.StandardCharsets.UTF_8));
            }
            g.writeEndArray();
        })));
    }

    // ---- input helpers ----------------------------------------------------------------------------

    private static byte[] withChannel(String channel, byte[] object) {
        // {"channel":"…", …the object's own fields…}
        byte[] head = Json.object(g -> g.writeStringField("channel", channel));
        byte[] out = new byte[head.length - 1 + (object.length > 2 ? 1 : 0) + object.length - 1];
        System.arraycopy(head, 0, out, 0, head.length - 1);
        int at = head.length - 1;
        if (object.length > 2) {
            out[at++] = ',';
        }
        System.arraycopy(object, 1, out, at, object.length - 1);
        return out;
    }
}
