package io.switchboard.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.protocol.ChannelNames;
import io.switchboard.server.config.WebhookConfig;
import io.switchboard.server.engine.EventQueue;
import io.switchboard.server.engine.EventQueue.ConnectionRecord;
import io.switchboard.server.engine.EventQueue.NewEvent;
import io.switchboard.server.engine.EventQueue.QueuedEvent;
import io.switchboard.server.util.Ids;
import io.switchboard.server.util.Json;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend's events (webhooks), produced here for every front door: the node core calls {@link #connected},
 * {@link #subscribed}, {@link #unsubscribed}, {@link #disconnected} and {@link #published}; this class decides
 * which endpoints want each event, gives it an id, and hands it, with the connection's record, to the
 * {@link Outbox} in the order things happened. One {@link Dispatcher} per endpoint delivers; the
 * {@link Reaper} produces the last events of a dead node's connections. With no endpoint configured every
 * method returns at once and nothing runs.
 *
 * <p>Events about a connection ({@code connect}, {@code disconnect}, {@code subscribe}, {@code unsubscribe},
 * {@code presence_join}, {@code presence_leave}) are numbered per user ({@code user:<id>}, or
 * {@code client:<id>} for an anonymous connection); events about a channel ({@code channel_occupied},
 * {@code channel_vacated}, {@code publish}) per channel ({@code channel:<name>}). Thread-safe.
 */
public final class Events implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Events.class);
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final WebhookConfig config;
    private final EventQueue queue;
    private final String nodeId;
    private final String incarnation;
    private final ScheduledExecutorService timer;
    private final HttpClient http;
    private final Outbox outbox;
    private final List<Dispatcher> dispatchers = new ArrayList<>();
    private final Reaper reaper;
    private final Counter produced;
    private final Counter dropped;
    // Connection id -> what this node records of it; changed only under this object's lock.
    private final Map<String, Conn> conns = new LinkedHashMap<>();

    /**
     * What a connection's record says: its user and its channels, each with the user it is in the channel's
     * presence as (null: not in presence; a Pusher connection's presence user differs per channel).
     */
    static final class Conn {
        final String user;
        final boolean anonymous;
        final Map<String, String> channels = new LinkedHashMap<>();

        Conn(String user, boolean anonymous) {
            this.user = user;
            this.anonymous = anonymous;
        }

        String key(String clientId) {
            return anonymous ? "client:" + clientId : "user:" + user;
        }

        byte[] state() {
            return Json.object(g -> {
                g.writeStringField("u", user);
                g.writeBooleanField("a", anonymous);
                g.writeObjectFieldStart("ch");
                for (Map.Entry<String, String> c : channels.entrySet()) {
                    if (c.getValue() == null) {
                        g.writeBooleanField(c.getKey(), false);
                    } else {
                        g.writeStringField(c.getKey(), c.getValue());
                    }
                }
                g.writeEndObject();
            });
        }

        static Conn parse(byte[] state) throws java.io.IOException {
            JsonNode n = MAPPER.readTree(state);
            Conn c = new Conn(n.path("u").asText(""), n.path("a").asBoolean(false));
            // true: a record written before members were kept per channel (the connection's own user)
            n.path("ch").fields().forEachRemaining(e -> c.channels.put(e.getKey(), e.getValue().isTextual()
                    ? e.getValue().textValue() : e.getValue().asBoolean() ? c.user : null));
            return c;
        }
    }

    private Events(WebhookConfig config, EventQueue queue, String nodeId, MeterRegistry registry) {
        this.config = config;
        this.queue = queue;
        this.nodeId = nodeId;
        this.incarnation = nodeId + "-" + Ids.random(8);
        if (!config.enabled()) {
            timer = null;
            http = null;
            outbox = null;
            reaper = null;
            produced = null;
            dropped = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-webhooks");
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().connectTimeout(config.timeout()).executor(timer)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        produced = Counter.builder("switchboard_webhook_events_produced").description("Events this node produced")
                .register(registry);
        dropped = Counter.builder("switchboard_webhook_events_dropped")
                .description("Events lost because too many waited for the engine").register(registry);
        outbox = new Outbox(queue, timer, this::wakeDispatchers, () -> {
            if (dropped.count() == 0) {
                log.error("webhook events are being dropped: more than {} steps wait for the engine", Outbox.MAX_PENDING);
            }
            dropped.increment();
        });
        Gauge.builder("switchboard_webhook_events_waiting", outbox, Outbox::pending)
                .description("Steps of events waiting to be appended to the engine's queues").register(registry);
        for (WebhookConfig.Endpoint e : config.endpoints()) {
            dispatchers.add(new Dispatcher(e, config, queue, incarnation, timer, http, registry));
        }
        reaper = new Reaper(this, queue, incarnation, config.nodeTtl(), timer);
    }

    /** The events of a node; off (every call a no-op) when {@code config} has no endpoint. */
    public static Events create(WebhookConfig config, EventQueue queue, String nodeId, MeterRegistry registry) {
        return new Events(config, queue, nodeId, registry);
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Starts saying this node is alive, delivering, and watching for dead nodes. */
    public void start() {
        if (!enabled()) {
            return;
        }
        reaper.start(outbox::open);
        dispatchers.forEach(Dispatcher::start);
    }

    /** This run's name in records, leases and liveness marks: the node id and a random suffix. */
    String incarnation() {
        return incarnation;
    }

    String nodeId() {
        return nodeId;
    }

    private void wakeDispatchers() {
        dispatchers.forEach(Dispatcher::wake);
    }

    // ---- what happens --------------------------------------------------------------------------

    /** A connection was established (its welcome is sent). */
    public void connected(String clientId, String userId, boolean anonymous) {
        if (!enabled()) {
            return;
        }
        synchronized (this) {
            Conn c = new Conn(userId, anonymous);
            conns.put(clientId, c);
            List<NewEvent> out = new ArrayList<>();
            add(out, event("connect", null, c.key(clientId), clientId, c, g -> { }, null, 0));
            submit(List.of(new ConnectionRecord(incarnation, clientId, c.state())), out);
        }
    }

    /** A connection subscribed to a channel (the subscribe was answered); {@code presence}: it joined presence. */
    public void subscribed(String clientId, String channel, boolean presence) {
        String user;
        synchronized (this) {
            Conn c = conns.get(clientId);
            user = c == null ? "" : c.user;
        }
        subscribed(clientId, channel, presence ? user : null);
    }

    /**
     * A connection subscribed to a channel (the subscribe was answered), and joined its presence as user
     * {@code member} (null: it did not join presence).
     */
    public void subscribed(String clientId, String channel, String member) {
        if (!enabled()) {
            return;
        }
        synchronized (this) {
            Conn c = conns.get(clientId);
            if (c == null || c.channels.containsKey(channel)) {
                return;
            }
            c.channels.put(channel, member);
            List<NewEvent> out = new ArrayList<>();
            channelJoined(out, clientId, c, channel, member);
            submit(List.of(new ConnectionRecord(incarnation, clientId, c.state())), out);
        }
    }

    /** A connection's subscription ended ({@code reason}: client, server, closed, ...); no-op if it never started. */
    public void unsubscribed(String clientId, String channel, String reason) {
        if (!enabled()) {
            return;
        }
        synchronized (this) {
            Conn c = conns.get(clientId);
            if (c == null || !c.channels.containsKey(channel)) {
                return;
            }
            String member = c.channels.remove(channel);
            List<NewEvent> out = new ArrayList<>();
            channelLeft(out, clientId, c, channel, member, reason);
            submit(List.of(new ConnectionRecord(incarnation, clientId, c.state())), out);
        }
    }

    /** A connection ended with {@code code}; its remaining subscriptions end first. */
    public void disconnected(String clientId, int code, String reason) {
        if (!enabled()) {
            return;
        }
        synchronized (this) {
            Conn c = conns.remove(clientId);
            if (c == null) {
                return;
            }
            List<NewEvent> out = new ArrayList<>();
            lastEvents(out, clientId, c, code, reason);
            submit(List.of(new ConnectionRecord(incarnation, clientId, null)), out);
        }
    }

    /** A publication was accepted ({@code offset} -1 without history); {@code payload} is raw JSON. */
    public void published(String channel, String from, String clientId, byte[] payload, long offset) {
        if (!enabled() || config.endpoints().stream().noneMatch(e -> e.wants("publish", ChannelNames.namespace(channel)))) {
            return;
        }
        synchronized (this) {
            List<NewEvent> out = new ArrayList<>();
            add(out, event("publish", channel, "channel:" + channel, clientId, null, g -> {
                if (from != null) {
                    g.writeStringField("user", from);
                }
                if (offset >= 0) {
                    g.writeNumberField("offset", offset);
                }
                io.switchboard.server.node.HistoryPayload.writePayload(g, payload);
            }, null, 0));
            submit(List.of(), out);
        }
    }

    /**
     * An event about a channel that no connection record stands behind (e.g. a Pusher app's
     * {@code client_event} or {@code cache_miss}), numbered per channel; nothing when no endpoint wants it.
     */
    public void channelEvent(String type, String channel, Json.Fields fields) {
        if (!enabled() || !wanted(List.of(type), channel)) {
            return;
        }
        synchronized (this) {
            List<NewEvent> out = new ArrayList<>();
            add(out, event(type, channel, "channel:" + channel, null, null, fields, null, 0));
            submit(List.of(), out);
        }
    }

    // ---- building events -------------------------------------------------------------------------

    /** The per-user presence events: counted (first connection in, last out) only where an endpoint wants them. */
    private static final List<String> MEMBER_EVENTS = List.of("member_added", "member_removed");

    private boolean wanted(List<String> types, String channel) {
        String ns = ChannelNames.namespace(channel);
        return config.endpoints().stream().anyMatch(e -> types.stream().anyMatch(t -> e.wants(t, ns)));
    }

    private void channelJoined(List<NewEvent> out, String clientId, Conn c, String channel, String member) {
        add(out, event("subscribe", channel, c.key(clientId), clientId, c, g -> { }, null, 0));
        if (member != null) {
            add(out, event("presence_join", channel, c.key(clientId), clientId, c, g -> { }, null, 0));
        }
        add(out, event("channel_occupied", channel, "channel:" + channel, null, null, g -> { }, channel, 1));
        if (member != null && wanted(MEMBER_EVENTS, channel)) {
            add(out, event("member_added", channel, "channel:" + channel, null, null,
                    g -> g.writeStringField("user_id", member), memberCounter(channel, member), 1));
        }
    }

    private void channelLeft(List<NewEvent> out, String clientId, Conn c, String channel, String member, String reason) {
        if (member != null) {
            add(out, event("presence_leave", channel, c.key(clientId), clientId, c, g -> { }, null, 0));
        }
        add(out, event("unsubscribe", channel, c.key(clientId), clientId, c, g -> g.writeStringField("reason", reason), null, 0));
        if (member != null && wanted(MEMBER_EVENTS, channel)) {
            add(out, event("member_removed", channel, "channel:" + channel, null, null,
                    g -> g.writeStringField("user_id", member), memberCounter(channel, member), -1));
        }
        add(out, event("channel_vacated", channel, "channel:" + channel, null, null, g -> { }, channel, -1));
    }

    /** A user's connections in a channel's presence, cluster-wide (channel names have no space). */
    private static String memberCounter(String channel, String member) {
        return "m " + channel + " " + member;
    }

    /** The events that end a connection: each of its channels left, then the disconnect. */
    void lastEvents(List<NewEvent> out, String clientId, Conn c, int code, String reason) {
        for (Map.Entry<String, String> ch : c.channels.entrySet()) {
            channelLeft(out, clientId, c, ch.getKey(), ch.getValue(), reason.equals("node_lost") ? reason : "unsubscribe");
        }
        add(out, event("disconnect", null, c.key(clientId), clientId, c, g -> {
            g.writeNumberField("code", code);
            g.writeStringField("reason", reason);
        }, null, 0));
    }

    private static void add(List<NewEvent> out, NewEvent e) {
        if (e != null) {
            out.add(e);
        }
    }

    /**
     * One event, or null when no endpoint wants it (unless it counts occupancy, which every node must keep
     * counting whoever listens).
     */
    private NewEvent event(String type, String channel, String key, String clientId, Conn c, Json.Fields fields,
                           String counter, int delta) {
        String ns = channel == null ? null : ChannelNames.namespace(channel);
        List<String> queues = new ArrayList<>(2);
        for (WebhookConfig.Endpoint e : config.endpoints()) {
            if (e.wants(type, ns)) {
                queues.add(e.name());
            }
        }
        if (queues.isEmpty() && counter == null) {
            return null;
        }
        String id = Ids.random(20);
        byte[] body = Json.object(g -> {
            g.writeStringField("id", id);
            g.writeStringField("type", type);
            g.writeStringField("node", nodeId);
            g.writeNumberField("ts", System.currentTimeMillis());
            if (channel != null) {
                g.writeStringField("channel", channel);
            }
            if (c != null) {
                g.writeStringField("user", c.user);
                g.writeStringField("client", clientId);
            }
            fields.write(g);
        });
        return new NewEvent(id, key, queues, body, counter, delta);
    }

    private void submit(List<ConnectionRecord> records, List<NewEvent> events) {
        produced.increment(events.stream().filter(e -> !e.queues().isEmpty()).count());
        outbox.add(new Outbox.Step(records, events));
    }

    // ---- dead letters (the server API) -----------------------------------------------------------

    /** The endpoints' names, in configuration order. */
    public List<String> endpointNames() {
        return config.endpoints().stream().map(WebhookConfig.Endpoint::name).toList();
    }

    public CompletableFuture<List<QueuedEvent>> deadLetters(String endpoint, int max) {
        return queue.deadLetters(endpoint, max);
    }

    public CompletableFuture<Integer> replay(String endpoint, List<String> ids) {
        return queue.replayDeadLetters(endpoint, ids).thenApply(n -> {
            wakeDispatchers();
            return n;
        });
    }

    /** The batch JSON an endpoint gets for these events (also how the API shows dead letters). */
    public static byte[] batchJson(List<QueuedEvent> events) {
        return Dispatcher.batch(events);
    }

    @Override
    public void close() {
        if (!enabled()) {
            return;
        }
        outbox.awaitIdle(2000);
        dispatchers.forEach(Dispatcher::close);
        reaper.close();
        timer.shutdown();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
