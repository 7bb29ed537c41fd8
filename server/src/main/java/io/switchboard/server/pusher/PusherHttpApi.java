package io.switchboard.server.pusher;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.ChannelService;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The Pusher HTTP API under {@code /apps/{id}/}: {@code POST events}, {@code POST batch_events},
 * {@code GET channels}, {@code GET channels/{name}} and {@code GET channels/{name}/users}. Every request is
 * checked the Pusher way ({@link PusherRequestAuth}); every channel operation goes to {@link ChannelService}.
 */
final class PusherHttpApi {

    static final int MAX_CHANNELS = 100;
    static final int MAX_BATCH = 10;
    static final int MAX_EVENT_NAME = 200;

    private final ChannelService channels;
    private final Map<String, PusherApp> apps;

    PusherHttpApi(Node node, Map<String, PusherApp> apps) {
        this.channels = node.channels();
        this.apps = apps;
    }

    /** A refusal with its HTTP status. */
    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    CompletableFuture<PusherDoor.Reply> handle(String method, String path, Map<String, List<String>> query, byte[] body) {
        try {
            String[] parts = path.split("/", -1); // "", "apps", id, rest...
            PusherApp app = parts.length >= 4 ? apps.get(parts[2]) : null;
            if (app == null) {
                throw new Refused(404, "no such app");
            }
            String problem = PusherRequestAuth.problem(app, method, path, query, body, System.currentTimeMillis() / 1000);
            if (problem != null) {
                throw new Refused(401, problem);
            }
            List<String> rest = List.of(parts).subList(3, parts.length);
            CompletableFuture<byte[]> answer = route(app, method, rest, query, body);
            return answer.handle((bytes, failure) -> {
                if (failure == null) {
                    return new PusherDoor.Reply(200, bytes);
                }
                Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                return refusal(t);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(refusal(e));
        }
    }

    private static PusherDoor.Reply refusal(Throwable t) {
        int status = t instanceof Refused r ? r.status : t instanceof ChannelException c
                ? (c.code() == io.switchboard.protocol.ErrorCode.UNAVAILABLE ? 503 : 400) : 500;
        String message = t instanceof Refused || t instanceof ChannelException ? t.getMessage() : "internal error";
        return new PusherDoor.Reply(status, Json.object(g -> g.writeStringField("error", message)));
    }

    private CompletableFuture<byte[]> route(PusherApp app, String method, List<String> rest, Map<String, List<String>> query, byte[] body) {
        boolean post = method.equals("POST");
        boolean get = method.equals("GET");
        if (post && rest.equals(List.of("events"))) {
            return events(app, json(body));
        }
        if (post && rest.equals(List.of("batch_events"))) {
            return batch(app, json(body));
        }
        if (get && rest.equals(List.of("channels"))) {
            return channelList(app, param(query, "filter_by_prefix"), info(param(query, "info")));
        }
        if (get && rest.size() == 2 && rest.get(0).equals("channels")) {
            return channel(app, checkedName(rest.get(1)), info(param(query, "info")));
        }
        if (get && rest.size() == 3 && rest.get(0).equals("channels") && rest.get(2).equals("users")) {
            return users(app, checkedName(rest.get(1)));
        }
        if (post && rest.size() == 3 && rest.get(0).equals("users") && rest.get(2).equals("terminate_connections")) {
            return terminate(app, rest.get(1));
        }
        throw new Refused(404, "no such endpoint: " + method + " /apps/" + app.id() + "/" + PusherConnection.clip(String.join("/", rest)));
    }

    /** Closes every connection of the app signed in as {@code user}, on every node (4009: pusher-js does not reconnect). */
    private CompletableFuture<byte[]> terminate(PusherApp app, String user) {
        String problem = PusherChannels.userIdProblem(user);
        if (problem != null) {
            throw new Refused(400, "the user id " + problem);
        }
        return channels.disconnectUser(PusherConnection.nodeUserId(app, user), io.switchboard.protocol.CloseCode.DISCONNECTED)
                .thenApply(v -> Json.object(g -> { }));
    }

    // ---- events -----------------------------------------------------------------------------------

    private CompletableFuture<byte[]> events(PusherApp app, JsonNode req) {
        List<String> names = new ArrayList<>();
        JsonNode many = req.get("channels");
        if (many != null && many.isArray()) {
            many.forEach(c -> names.add(c.isTextual() ? c.textValue() : ""));
        } else if (req.path("channel").isTextual()) {
            names.add(req.get("channel").textValue());
        }
        if (names.isEmpty() || names.size() > MAX_CHANNELS) {
            throw new Refused(400, "give channel, or channels: an array of 1 to " + MAX_CHANNELS + " channel names");
        }
        return publish(app, names, req).thenApply(info -> info.isEmpty() ? Json.object(g -> { })
                : Json.object(g -> writeChannels(g, info)));
    }

    private CompletableFuture<byte[]> batch(PusherApp app, JsonNode req) {
        JsonNode batch = req.get("batch");
        if (batch == null || !batch.isArray() || batch.isEmpty() || batch.size() > MAX_BATCH) {
            throw new Refused(400, "batch must be an array of 1 to " + MAX_BATCH + " events");
        }
        List<CompletableFuture<Map<String, Counts>>> each = new ArrayList<>();
        boolean anyInfo = false;
        for (JsonNode e : batch) {
            if (!e.isObject() || !e.path("channel").isTextual()) {
                throw new Refused(400, "every batch event needs a channel (a string)");
            }
            anyInfo |= e.hasNonNull("info");
        }
        for (JsonNode e : batch) {
            each.add(publish(app, List.of(e.get("channel").textValue()), e));
        }
        boolean withInfo = anyInfo;
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> !withInfo ? Json.object(g -> { })
                : Json.object(g -> {
                    g.writeArrayFieldStart("batch");
                    for (CompletableFuture<Map<String, Counts>> f : each) {
                        g.writeStartObject();
                        for (Counts c : f.join().values()) {
                            c.write(g);
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }));
    }

    /** Publishes one event to {@code names}; completes with the channel attributes {@code info} asked for (or none). */
    private CompletableFuture<Map<String, Counts>> publish(PusherApp app, List<String> names, JsonNode req) {
        String event = req.path("name").isTextual() ? req.get("name").textValue() : null;
        if (event == null || event.isEmpty() || event.length() > MAX_EVENT_NAME) {
            throw new Refused(400, "name must be an event name of 1 to " + MAX_EVENT_NAME + " characters");
        }
        JsonNode d = req.get("data");
        String data = d == null || d.isNull() ? null : d.isTextual() ? d.textValue() : d.toString();
        if (data != null && data.getBytes(StandardCharsets.UTF_8).length > PusherCommands.MAX_DATA_BYTES) {
            throw new Refused(413, "data is over " + PusherCommands.MAX_DATA_BYTES + " bytes");
        }
        String socketId = req.path("socket_id").isTextual() ? req.get("socket_id").textValue() : null;
        if (socketId != null && !socketId.matches("\\d{1,20}\\.\\d{1,20}")) {
            throw new Refused(400, "socket_id must be digits.digits");
        }
        Set<String> info = info(req.path("info").isTextual() ? req.get("info").textValue() : null);
        // With socket_id, the publication is attributed to that connection, which therefore skips it.
        Caller caller = socketId == null ? Caller.server() : Caller.vouched(Principal.ANONYMOUS, socketId);
        byte[] payload = PusherFrames.payload(event, data, null);
        List<String> checked = names.stream().map(this::checkedName).toList();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long ingress = System.nanoTime();
        for (String name : checked) {
            all.add(channels.publish(caller, PusherChannels.internal(app, name), payload, null, ingress));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            if (info.isEmpty()) {
                return CompletableFuture.completedFuture(Map.of());
            }
            SortedMap<String, Counts> out = new TreeMap<>();
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (String name : checked) {
                reads.add(counts(app, name, info).thenAccept(c -> {
                    synchronized (out) {
                        out.put(name, c);
                    }
                }));
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(x -> out);
        });
    }

    // ---- channels ---------------------------------------------------------------------------------

    /** A channel's attributes: subscribers on this node, and users (presence channels, cluster-wide). */
    private record Counts(String name, Integer subscriptionCount, Integer userCount) {
        void write(JsonGenerator g) throws IOException {
            if (subscriptionCount != null) {
                g.writeNumberField("subscription_count", subscriptionCount);
            }
            if (userCount != null) {
                g.writeNumberField("user_count", userCount);
            }
        }
    }

    private CompletableFuture<Counts> counts(PusherApp app, String name, Set<String> info) {
        String internal = PusherChannels.internal(app, name);
        Integer subs = info.contains("subscription_count") ? channels.localChannels(internal).getOrDefault(internal, 0) : null;
        if (!info.contains("user_count")) {
            return CompletableFuture.completedFuture(new Counts(name, subs, null));
        }
        if (PusherChannels.kind(name) != PusherChannels.Kind.PRESENCE) {
            throw new Refused(400, "user_count is only for presence channels");
        }
        return channels.presence(Caller.server(), internal).thenApply(entries -> new Counts(name, subs, users(entries).size()));
    }

    private CompletableFuture<byte[]> channelList(PusherApp app, String prefix, Set<String> info) {
        String p = prefix == null ? "" : prefix;
        if (info.contains("user_count") && !p.startsWith("presence-")) {
            throw new Refused(400, "info=user_count needs filter_by_prefix=presence-");
        }
        SortedMap<String, Integer> local = new java.util.TreeMap<>(channels.localChannels(app.namespace() + ":" + p.replace(';', ':')));
        local.putAll(channels.localChannels(app.cacheNamespace() + ":" + p.replace(';', ':')));
        List<CompletableFuture<Counts>> each = new ArrayList<>();
        for (String internal : local.keySet()) {
            String name = PusherChannels.external(app, internal);
            if (PusherChannels.kind(name) != PusherChannels.Kind.USER) { // users' own channels are not listed
                each.add(counts(app, name, info));
            }
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> Json.object(g -> {
            Map<String, Counts> m = new TreeMap<>();
            each.forEach(f -> m.put(f.join().name(), f.join()));
            writeChannels(g, m);
        }));
    }

    private CompletableFuture<byte[]> channel(PusherApp app, String name, Set<String> info) {
        String internal = PusherChannels.internal(app, name);
        int local = channels.localChannels(internal).getOrDefault(internal, 0);
        boolean presence = PusherChannels.kind(name) == PusherChannels.Kind.PRESENCE;
        CompletableFuture<Integer> users = presence ? channels.presence(Caller.server(), internal).thenApply(e -> users(e).size())
                : CompletableFuture.completedFuture(null);
        if (info.contains("user_count") && !presence) {
            throw new Refused(400, "user_count is only for presence channels");
        }
        return users.thenApply(u -> Json.object(g -> {
            g.writeBooleanField("occupied", local > 0 || (u != null && u > 0));
            if (info.contains("subscription_count")) {
                g.writeNumberField("subscription_count", local);
            }
            if (info.contains("user_count")) {
                g.writeNumberField("user_count", u);
            }
        }));
    }

    private CompletableFuture<byte[]> users(PusherApp app, String name) {
        if (PusherChannels.kind(name) != PusherChannels.Kind.PRESENCE) {
            throw new Refused(400, "users are only listed for presence channels");
        }
        return channels.presence(Caller.server(), PusherChannels.internal(app, name)).thenApply(entries -> Json.object(g -> {
            g.writeArrayFieldStart("users");
            for (String id : users(entries)) {
                g.writeStartObject();
                g.writeStringField("id", id);
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    private static Set<String> users(List<PresenceEntry> entries) {
        Set<String> ids = new LinkedHashSet<>();
        entries.forEach(e -> ids.add(e.userId()));
        return ids;
    }

    private static void writeChannels(JsonGenerator g, Map<String, Counts> m) throws IOException {
        g.writeObjectFieldStart("channels");
        for (Map.Entry<String, Counts> e : m.entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            e.getValue().write(g);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    // ---- input ------------------------------------------------------------------------------------

    private String checkedName(String name) {
        String problem = PusherChannels.problem(name);
        if (problem != null) {
            throw new Refused(400, "channel " + PusherConnection.clip(String.valueOf(name)) + ": " + problem);
        }
        return name;
    }

    private static Set<String> info(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String s : text.split(",")) {
            String a = s.trim();
            if (!a.equals("user_count") && !a.equals("subscription_count")) {
                throw new Refused(400, "info may name user_count and subscription_count");
            }
            out.add(a);
        }
        return out;
    }

    private static JsonNode json(byte[] body) {
        JsonNode n = PusherFrames.parse(new String(body, StandardCharsets.UTF_8));
        if (n == null || !n.isObject()) {
            throw new Refused(400, "the body must be a JSON object");
        }
        return n;
    }

    private static String param(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
