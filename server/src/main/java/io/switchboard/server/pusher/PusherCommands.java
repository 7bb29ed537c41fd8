package io.switchboard.server.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.ChannelService;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.TokenBucket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The channel events of one Pusher connection: {@code pusher:subscribe} (with the app's signature for
 * {@code private-}, {@code private-encrypted-} and {@code presence-} channels), {@code pusher:unsubscribe} and
 * client events. Decides nothing about channels itself: every operation goes to {@link ChannelService} as a
 * vouched caller, once the signature is checked. Event loop only.
 */
final class PusherCommands {

    /** Largest event data, as Pusher has it. */
    static final int MAX_DATA_BYTES = 10 * 1024;
    /** Client events one connection may send per second (Pusher's figure). */
    static final int CLIENT_EVENTS_PER_SECOND = 10;
    /** Largest presence user id. */
    static final int MAX_USER_ID = 128;

    private final PusherConnection connection;
    private final Node node;
    private final ChannelService channels;
    private final PusherApp app;
    private TokenBucket clientEventRate; // made by the first client event: most connections never send one
    // The app's channel name -> its subscription (also while being set up). Sized for the usual one or two
    // channels: a default map's first table (16 slots) would cost every connection 56 bytes more.
    private final Map<String, Entry> subscriptions = new HashMap<>(2);

    private record Entry(PusherSubscription sub, Caller caller) {
    }

    PusherCommands(PusherConnection connection, Node node, PusherApp app) {
        this.connection = connection;
        this.node = node;
        this.channels = node.channels();
        this.app = app;
    }

    void subscribe(PusherFrames.Frame f) {
        JsonNode data = f.dataObject();
        String name = data == null ? null : text(data, "channel");
        String problem = PusherChannels.problem(name);
        if (problem != null) {
            connection.reject("pusher:subscribe: " + problem);
            return;
        }
        if (subscriptions.containsKey(name)) {
            connection.reject("pusher:subscribe: already subscribed to " + name);
            return;
        }
        if (subscriptions.size() >= node.config().limits().maxChannelsPerConnection()) {
            connection.send(PusherFrames.subscriptionError(name, 429, "LimitReached",
                    "a connection may subscribe to at most " + node.config().limits().maxChannelsPerConnection() + " channels"));
            return;
        }
        PusherChannels.Kind kind = PusherChannels.kind(name);
        if (kind == PusherChannels.Kind.USER && !name.equals(PusherChannels.USER_PREFIX + connection.signedInUser())) {
            connection.send(PusherFrames.subscriptionError(name, 403, "AuthError",
                    "only a connection signed in (pusher:signin) as that user may subscribe to " + name));
            return;
        }
        String socketId = connection.id();
        Principal principal = Principal.ANONYMOUS;
        if (kind.needsAuth()) {
            String channelData = kind == PusherChannels.Kind.PRESENCE ? text(data, "channel_data") : null;
            if (kind == PusherChannels.Kind.PRESENCE && channelData == null) {
                authError(name, "a presence subscription needs channel_data");
                return;
            }
            String signed = socketId + ":" + name + (channelData == null ? "" : ":" + channelData);
            String why = PusherSignatures.authProblem(app.key(), app.secret(), text(data, "auth"), signed);
            if (why != null) {
                authError(name, why);
                return;
            }
            if (channelData != null) {
                principal = member(name, channelData);
                if (principal == null) {
                    return;
                }
            }
        }
        Caller caller = Caller.vouched(principal, socketId);
        String internal = PusherChannels.internal(app, name);
        try {
            channels.admitSubscribe(caller, internal, null);
        } catch (ChannelException e) {
            connection.send(PusherFrames.subscriptionError(name, 403, "Forbidden", e.getMessage()));
            return;
        }
        PusherSubscription sub = new PusherSubscription(name, internal, kind, kind == PusherChannels.Kind.PRESENCE
                ? principal.userId() : null, socketId, connection.outbound(),
                user -> connection.transcoder().memberInfo(internal, user, () -> memberInfo(caller, internal, user)));
        subscriptions.put(name, new Entry(sub, caller));
        channels.attach(internal, sub).whenComplete((ok, failure) -> connection.onLoop(() -> {
            if (!current(name, sub)) {
                return;
            }
            if (failure != null) {
                drop(name);
                connection.send(PusherFrames.subscriptionError(name, 503, "ServerError", ChannelException.of(failure, "subscribe failed").getMessage()));
                return;
            }
            if (kind != PusherChannels.Kind.PRESENCE) {
                succeeded(name, sub, caller, PusherFrames.event("pusher_internal:subscription_succeeded", name, "{}"));
                return;
            }
            channels.joinPresence(caller, internal);
            channels.presence(caller, internal).whenComplete((entries, err) -> connection.onLoop(() -> {
                if (!current(name, sub)) {
                    return;
                }
                if (err != null) {
                    drop(name);
                    connection.send(PusherFrames.subscriptionError(name, 503, "ServerError", ChannelException.of(err, "presence failed").getMessage()));
                    return;
                }
                succeeded(name, sub, caller, presenceSucceeded(name, caller.principal(), entries));
            }));
        }));
    }

    /**
     * Sends {@code subscription_succeeded} and lets the subscription's events through; on a cache channel
     * first its last event, or {@code pusher:cache_miss} (and the {@code cache_miss} webhook).
     */
    private void succeeded(String name, PusherSubscription sub, Caller caller, byte[] succeededFrame) {
        connection.send(succeededFrame);
        if (sub.kind != PusherChannels.Kind.USER) { // a user's own channel is no channel for webhooks
            channels.subscribed(caller, sub.internal);
        }
        if (!PusherChannels.cached(name)) {
            sub.goLive();
            return;
        }
        CompletableFuture<HistoryResult> last;
        try {
            last = channels.history(caller, sub.internal, new HistoryQuery(-1, 1, true), null);
        } catch (ChannelException e) {
            last = CompletableFuture.failedFuture(e);
        }
        last.whenComplete((h, failure) -> connection.onLoop(() -> {
            if (!current(name, sub)) {
                return;
            }
            Publication p = failure == null && !h.publications().isEmpty() ? h.publications().get(0) : null;
            byte[] event = p == null ? null : sub.event(p.payload());
            if (event != null) {
                sub.goLive(event, p.offset());
                return;
            }
            sub.goLive(PusherFrames.event("pusher:cache_miss", name, (String) null), failure == null ? h.offset() : -1);
            node.events().channelEvent("cache_miss", sub.internal, g -> { });
        }));
    }

    /** The member a presence subscription's channel_data names, or null (the client was told) when it names none. */
    private Principal member(String name, String channelData) {
        JsonNode cd = PusherFrames.parse(channelData);
        JsonNode id = cd == null || !cd.isObject() ? null : cd.get("user_id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
            authError(name, "channel_data must be a JSON object with a user_id (a string or a whole number)");
            return null;
        }
        String userId = id.asText();
        if (userId.length() > MAX_USER_ID || userId.chars().anyMatch(c -> c < 0x20)) {
            authError(name, "user_id is longer than " + MAX_USER_ID + " characters or has control characters");
            return null;
        }
        JsonNode info = cd.get("user_info");
        byte[] infoBytes = info == null || info.isNull() ? null : info.toString().getBytes(StandardCharsets.UTF_8);
        if (infoBytes != null && infoBytes.length > node.config().maxPresenceInfoBytes()) {
            authError(name, "user_info is over " + node.config().maxPresenceInfoBytes() + " bytes");
            return null;
        }
        return new Principal(userId, false, Long.MAX_VALUE, List.of(), infoBytes);
    }

    private void authError(String name, String message) {
        connection.send(PusherFrames.subscriptionError(name, 401, "AuthError", message));
    }

    /** {@code subscription_succeeded} of a presence channel: every user once, this connection's own included. */
    private static byte[] presenceSucceeded(String name, Principal self, List<PresenceEntry> entries) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        for (PresenceEntry e : entries) {
            members.putIfAbsent(e.userId(), e.info());
        }
        members.putIfAbsent(self.userId(), self.info()); // the join may not be visible to the read yet
        return PusherFrames.event("pusher_internal:subscription_succeeded", name, g -> {
            g.writeObjectFieldStart("presence");
            g.writeArrayFieldStart("ids");
            for (String id : members.keySet()) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("hash");
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                if (m.getValue() == null) {
                    g.writeNullField(m.getKey());
                } else {
                    PusherFrames.rawField(g, m.getKey(), m.getValue());
                }
            }
            g.writeEndObject();
            g.writeNumberField("count", members.size());
            g.writeEndObject();
        });
    }

    /** A member's user_info, read from the channel's presence (for {@code member_added}). */
    private CompletableFuture<byte[]> memberInfo(Caller caller, String internal, String userId) {
        return channels.presence(caller, internal).thenApply(entries -> {
            for (PresenceEntry e : entries) {
                if (e.userId().equals(userId)) {
                    return e.info();
                }
            }
            return null;
        });
    }

    /**
     * {@code pusher:signin}: the app's signature over {@code socket_id::user::user_data}, whose {@code id}
     * becomes the connection's user; answered {@code pusher:signin_success}, or {@code pusher:error} 4009 (the
     * connection stays). The client then subscribes to its {@code #server-to-user-<id>}.
     */
    void signin(PusherFrames.Frame f) {
        JsonNode data = f.dataObject();
        String userData = data == null ? null : text(data, "user_data");
        if (userData == null) {
            signinRefused("pusher:signin needs data.auth and data.user_data (a JSON string)");
            return;
        }
        String why = PusherSignatures.authProblem(app.key(), app.secret(), text(data, "auth"),
                connection.id() + "::user::" + userData);
        if (why != null) {
            signinRefused("pusher:signin refused: " + why);
            return;
        }
        JsonNode ud = PusherFrames.parse(userData);
        JsonNode id = ud == null || !ud.isObject() ? null : ud.get("id");
        String problem = id == null || !id.isTextual() ? "user_data must be a JSON object with a string id"
                : PusherChannels.userIdProblem(id.textValue()) == null ? null : "the user id " + PusherChannels.userIdProblem(id.textValue());
        if (problem != null) {
            signinRefused("pusher:signin refused: " + problem);
            return;
        }
        String previous = connection.signedInUser();
        if (previous != null && !previous.equals(id.textValue())) {
            signinRefused("pusher:signin refused: the connection is signed in as another user");
            return;
        }
        connection.signedIn(id.textValue());
        connection.send(PusherFrames.event("pusher:signin_success", null, g -> g.writeStringField("user_data", userData)));
    }

    private void signinRefused(String message) {
        connection.send(PusherFrames.error(PusherConnection.CLOSE_UNAUTHORIZED, message));
    }

    void unsubscribe(PusherFrames.Frame f) {
        JsonNode data = f.dataObject();
        String name = data == null ? null : text(data, "channel");
        if (name == null) {
            connection.reject("pusher:unsubscribe needs data.channel");
            return;
        }
        drop(name); // unsubscribing from a channel one does not follow is no error in Pusher
    }

    void clientEvent(PusherFrames.Frame f) {
        String name = f.channel();
        Entry e = name == null ? null : subscriptions.get(name);
        if (!app.clientEvents()) {
            connection.send(PusherFrames.error(null, "Client events are not enabled for this app"));
            return;
        }
        if (e == null) {
            connection.send(PusherFrames.error(null, "Client event rejected - you must be subscribed to the channel"));
            return;
        }
        if (!e.sub().kind.allowsClientEvents()) {
            connection.send(PusherFrames.error(null, "Client event rejected - only supported on private and presence channels"));
            return;
        }
        if (f.event().length() > 200) {
            connection.send(PusherFrames.error(null, "Client event rejected - the event name is longer than 200 characters"));
            return;
        }
        if (clientEventRate == null) {
            clientEventRate = new TokenBucket(CLIENT_EVENTS_PER_SECOND, CLIENT_EVENTS_PER_SECOND, System.nanoTime());
        }
        if (!clientEventRate.tryTake(System.nanoTime())) {
            connection.send(PusherFrames.error(4301, "Client event rejected due to rate limit"));
            return;
        }
        String data = f.dataText();
        if (data != null && data.getBytes(StandardCharsets.UTF_8).length > MAX_DATA_BYTES) {
            connection.send(PusherFrames.error(null, "Client event rejected - data is over " + MAX_DATA_BYTES + " bytes"));
            return;
        }
        byte[] payload = PusherFrames.payload(f.event(), data, e.sub().userId);
        String internal = e.sub().internal;
        String user = e.sub().userId;
        try {
            channels.publish(e.caller(), internal, payload, null, System.nanoTime()).whenComplete((ok, failure) -> {
                if (failure != null) {
                    connection.send(PusherFrames.error(null, "Client event failed: " + ChannelException.of(failure, "publish failed").getMessage()));
                    return;
                }
                node.events().channelEvent("client_event", internal, g -> {
                    g.writeStringField("event", f.event());
                    if (data != null) {
                        g.writeStringField("data", data);
                    }
                    g.writeStringField("socket_id", connection.id());
                    if (user != null) {
                        g.writeStringField("user_id", user);
                    }
                });
            });
        } catch (ChannelException ex) {
            connection.send(PusherFrames.error(null, "Client event rejected - " + ex.getMessage()));
        }
    }

    /** The server ended the subscription to {@code internal} (the server API's unsubscribe). */
    void removeByServer(String internal) {
        String name = PusherChannels.external(app, internal);
        if (name != null && subscriptions.containsKey(name)) {
            drop(name);
        }
    }

    void renewPresence() {
        subscriptions.forEach((name, e) -> {
            if (e.sub().kind == PusherChannels.Kind.PRESENCE && !e.sub().ended()) {
                channels.joinPresence(e.caller(), e.sub().internal);
            }
        });
    }

    void leaveAll() {
        for (String name : List.copyOf(subscriptions.keySet())) {
            drop(name);
        }
    }

    private boolean current(String name, PusherSubscription sub) {
        Entry e = subscriptions.get(name);
        return connection.isOpen() && e != null && e.sub() == sub;
    }

    private void drop(String name) {
        Entry e = subscriptions.remove(name);
        if (e != null) {
            e.sub().cancel();
            channels.detach(e.caller(), e.sub().internal, e.sub());
        }
    }

    private static String text(JsonNode data, String field) {
        JsonNode v = data.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }
}
