package io.switchboard.server.session;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.StreamPosition;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.Access;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.StreamOptions;
import io.switchboard.server.hub.Hub;
import io.switchboard.server.util.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The channel commands of one session: subscribe (with recovery), unsubscribe, publish, history and
 * presence, each checked against its channel's namespace. Event loop only, like its {@link Session}.
 */
final class ChannelCommands {

    /** Most live frames held back while one subscription's history is read. */
    private static final int MAX_HELD = 10_000;
    private static final String INTERRUPTED_WHILE_SUBSCRIBING =
            "this node may have missed messages of the channel while its link to the cluster was down; subscribe again";
    /** Most publications one history command returns. */
    static final int MAX_HISTORY_LIMIT = 1000;

    private final Session session;
    private final NodeContext node;
    private final ServerConfig config;
    // channel -> this session's subscription to it.
    private final Map<String, ChannelSubscription> subscriptions = new HashMap<>(4); // most connections follow few channels

    ChannelCommands(Session session, NodeContext node) {
        this.session = session;
        this.node = node;
        this.config = node.config();
    }

    // ---- subscribe and recovery ----------------------------------------------------------------

    void subscribe(Envelope e) {
        String ch = e.channel();
        NamespaceConfig ns = namespace(e);
        if (ns == null) {
            return;
        }
        boolean granted = false;
        if (e.token() != null && ns.subscribe() == Access.NONE) {
            session.error(e.id(), ErrorCode.FORBIDDEN, "subscribe to " + ch + " is not allowed for anyone (namespace access: none)");
            return;
        } else if (e.token() != null) {
            // A subscription token: the app's backend vouches for this user on this one channel.
            String why = subscriptionTokenProblem(e.token(), ch);
            if (why != null) {
                session.error(e.id(), ErrorCode.FORBIDDEN, "subscription token refused: " + why);
                return;
            }
            granted = true;
        } else if (!allowed(e, ns.subscribe(), "subscribe to")) {
            return;
        }
        // Without history access a subscribe still succeeds; it just cannot recover (reason "forbidden").
        // A subscription token also lets its holder recover the channel, unless history is closed to all.
        boolean mayRecover = granted ? ns.historyAccess() != Access.NONE : permits(ns.historyAccess(), e.channel());
        ChannelSubscription previous = subscriptions.get(ch);
        if (previous != null && previous.ended()) {
            dropSubscription(ch, previous); // interrupted, and the client was told so before this subscribe
        } else if (previous != null) {
            session.error(e.id(), ErrorCode.ALREADY_SUBSCRIBED, "already subscribed to " + ch);
            return;
        }
        if (subscriptions.size() >= config.maxChannelsPerConnection()) {
            session.error(e.id(), ErrorCode.LIMIT_EXCEEDED, "at most " + config.maxChannelsPerConnection() + " channels per connection");
            return;
        }
        ChannelSubscription sub = new ChannelSubscription(ch, session.outbound(), session.id(), ns.echo(),
                !ns.keepsHistory(), MAX_HELD, granted);
        subscriptions.put(ch, sub);
        node.metrics().subscriptionAdded();
        sub.onInterrupted(wasLive -> interrupted(ch, sub, wasLive));
        Principal p = session.principal();
        node.hub().subscribe(ch, sub).whenComplete((ok, failure) -> session.onLoop(() -> {
            if (subscriptions.get(ch) != sub) {
                // Unsubscribed (or the session ended) while the engine was subscribing: say so anyway.
                session.error(e.id(), ErrorCode.NOT_SUBSCRIBED, "unsubscribed from " + ch + " before the subscribe completed");
                return;
            }
            if (failure != null || sub.ended()) {
                dropSubscription(ch, sub);
                session.error(e.id(), ErrorCode.UNAVAILABLE, failure != null ? "the engine could not subscribe: " + why(failure)
                        : INTERRUPTED_WHILE_SUBSCRIBING);
                return;
            }
            if (ns.presence() && !p.anonymous()) {
                joinPresence(ch);
            }
            if (!ns.keepsHistory()) {
                // Nothing to recover from; a client that asked is told so rather than left guessing.
                session.send(Envelope.ack(e.id(), e.since() == null ? null : Json.object(g -> {
                    g.writeBooleanField("recovered", false);
                    g.writeStringField("reason", "no_history");
                })));
                return;
            }
            recover(e, ns, sub, mayRecover);
        }));
    }

    /** Reads the channel's stream, answers the subscribe, sends what the client missed, then goes live. */
    private void recover(Envelope e, NamespaceConfig ns, ChannelSubscription sub, boolean mayRecover) {
        StreamPosition since = mayRecover ? e.since() : null;
        String refused = e.since() != null && !mayRecover ? "forbidden" : null;
        HistoryQuery q = since == null ? HistoryQuery.positionOnly() : new HistoryQuery(since.offset(), config.maxRecover() + 1, false);
        node.hub().engine().history(e.channel(), q, streamOptions(ns)).whenComplete((h, failure) -> session.onLoop(() -> {
            if (subscriptions.get(e.channel()) != sub) {
                session.error(e.id(), ErrorCode.NOT_SUBSCRIBED, "unsubscribed from " + e.channel() + " before the subscribe completed");
                return;
            }
            if (failure != null || sub.ended()) {
                dropSubscription(e.channel(), sub);
                session.error(e.id(), ErrorCode.UNAVAILABLE, failure != null ? "could not read the channel's history: " + why(failure)
                        : INTERRUPTED_WHILE_SUBSCRIBING);
                return;
            }
            String problem = since == null ? refused : recoveryProblem(since, h);
            boolean recovered = since != null && problem == null;
            session.send(Envelope.ack(e.id(), Json.object(g -> {
                g.writeStringField("epoch", h.epoch());
                g.writeNumberField("offset", h.offset());
                g.writeBooleanField("recovered", recovered);
                if (problem != null) {
                    g.writeStringField("reason", problem);
                }
            })));
            if (recovered) {
                for (Publication p : h.publications()) {
                    session.sendMessage(p);
                }
            }
            // The ack named h.offset(): recovered or not, the client continues from there, so the first live
            // frame is the next offset, however far behind the stream this node's live feed still is.
            sub.goLive(h.epoch(), h.offset());
        }));
    }

    /**
     * Null when {@code token} is a valid JWT for this connection's user whose {@code channels} claim
     * names {@code channel}; otherwise why not. User-limited channels ({@code #}) still admit only
     * their users.
     */
    private String subscriptionTokenProblem(String token, String channel) {
        Principal p = session.principal();
        Principal t;
        try {
            t = node.authenticator().authenticate(token);
        } catch (io.switchboard.server.auth.AuthException ex) {
            return ex.getMessage();
        }
        if (t.anonymous() || !t.userId().equals(p.userId())) {
            return "it is for another user";
        }
        if (!t.claims(channel)) {
            return "its channels claim does not name " + channel;
        }
        if (!userLimitedAllows(channel, p)) {
            return "the channel is limited to the users after its '#'";
        }
        return null;
    }

    /** Null when everything after {@code since} is still in the stream and few enough to send. */
    private String recoveryProblem(StreamPosition since, HistoryResult h) {
        if (!since.epoch().equals(h.epoch())) {
            return "epoch_changed";
        }
        if (since.offset() > h.offset()) {
            return "bad_position";
        }
        if (since.offset() < h.earliest() - 1) {
            return "out_of_retention";
        }
        if (h.offset() - since.offset() > config.maxRecover()) {
            return "too_many";
        }
        // Recovered messages are queued at once; they must fit well inside the outbound bound, or
        // the recovery itself would close the connection as a slow consumer.
        long bytes = 0;
        for (Publication p : h.publications()) {
            bytes += p.payload().length + Session.PUSH_OVERHEAD_BYTES / 4;
        }
        if (bytes > config.maxQueuedBytes() / 2) {
            return "too_many";
        }
        return null;
    }

    void unsubscribe(Envelope e) {
        ChannelSubscription sub = subscriptions.get(e.channel());
        if (sub == null) {
            if (namespace(e) != null) { // else namespace() answered unknown_channel
                session.error(e.id(), ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + e.channel());
            }
            return;
        }
        dropSubscription(e.channel(), sub);
        session.send(Envelope.ack(e.id(), null));
    }

    private void dropSubscription(String ch, ChannelSubscription sub) {
        if (subscriptions.remove(ch) != null) {
            node.metrics().subscriptionRemoved();
        }
        node.hub().unsubscribe(ch, sub);
        sub.cancel();
        NamespaceConfig ns = config.namespaces().forChannel(ch);
        if (ns != null && ns.presence() && !session.principal().anonymous()) {
            node.hub().engine().presenceLeave(ch, session.id());
        }
    }

    /** The server API asked to end this connection's subscription to {@code ch}: drop it and say so. */
    void removeByServer(String ch) {
        ChannelSubscription sub = subscriptions.get(ch);
        if (sub != null) {
            dropSubscription(ch, sub);
            session.send(Envelope.builder(io.switchboard.protocol.MessageType.UNSUBSCRIBED).channel(ch)
                    .code(ErrorCode.REMOVED.wireName())
                    .message("the server ended the subscription to " + ch).build());
        }
    }

    /** Leaves every channel (the session is closing). */
    void leaveAll() {
        for (Map.Entry<String, ChannelSubscription> s : List.copyOf(subscriptions.entrySet())) {
            dropSubscription(s.getKey(), s.getValue());
        }
    }

    /**
     * After a {@code refresh}: ends every subscription the new token no longer allows (its
     * {@code channels} claim may have shrunk), telling the client with an {@code unsubscribed} push.
     */
    void recheckAccess() {
        for (Map.Entry<String, ChannelSubscription> s : List.copyOf(subscriptions.entrySet())) {
            String ch = s.getKey();
            NamespaceConfig ns = config.namespaces().forChannel(ch);
            // Subscriptions granted by a subscription token stand on that token, not the connection's.
            if (ns == null || (!s.getValue().grantedByToken && !permits(ns.subscribe(), ch))) {
                dropSubscription(ch, s.getValue());
                session.send(Envelope.builder(io.switchboard.protocol.MessageType.UNSUBSCRIBED).channel(ch)
                        .code(ErrorCode.FORBIDDEN.wireName())
                        .message("the refreshed token no longer allows subscribing to " + ch).build());
            }
        }
    }

    /**
     * The engine could not deliver some of the channel's publications to this node (its link to Redis or
     * NATS was lost, and they cannot be read back). The subscription ends with {@code unsubscribed} code
     * {@code unavailable}: the client subscribes again, with {@code since} where it has a position, and
     * recovers what the stream still holds, or learns that it cannot (protocol.md 4.10).
     */
    private void interrupted(String ch, ChannelSubscription sub, boolean wasLive) {
        if (wasLive) {
            // On the thread that delivers the channel, before any later frame of it: the push comes right after
            // the last message the client got, so its `since` is exactly where the hole starts.
            session.push(Envelope.builder(io.switchboard.protocol.MessageType.UNSUBSCRIBED).channel(ch)
                    .code(ErrorCode.UNAVAILABLE.wireName())
                    .message("this node may have missed messages of " + ch + " while its link to the cluster was down; subscribe again")
                    .build());
            session.onLoop(() -> {
                if (subscriptions.get(ch) == sub) {
                    dropSubscription(ch, sub);
                }
            });
        }
        // Still being set up: the subscribe's own callback sees sub.ended() and answers `unavailable`.
    }

    /** Adds (or renews) this connection's presence entry in a channel; the engine announces a first join. */
    private void joinPresence(String ch) {
        Principal p = session.principal();
        node.hub().engine().presenceJoin(ch, new PresenceEntry(session.id(), p.userId(), p.info()), config.presenceTtl());
    }

    /** Renews this session's presence entries before their TTL runs out (called by the node's refresher). */
    void refreshPresence() {
        Principal p = session.principal();
        if (p.anonymous()) {
            return;
        }
        for (String ch : subscriptions.keySet()) {
            NamespaceConfig ns = config.namespaces().forChannel(ch);
            if (ns != null && ns.presence()) {
                joinPresence(ch);
            }
        }
    }

    // ---- publish, history, presence -------------------------------------------------------------

    void publish(Envelope e) {
        NamespaceConfig ns = namespace(e);
        if (ns == null || !allowed(e, ns.publish(), "publish to")) {
            return;
        }
        int maxPayload = config.maxFrameBytes() - Session.PUSH_OVERHEAD_BYTES;
        if (e.payload().length > maxPayload) {
            session.error(e.id(), ErrorCode.TOO_LARGE, "payload is over " + maxPayload + " bytes");
            return;
        }
        Principal p = session.principal();
        PublishRequest req = new PublishRequest(e.channel(), e.payload(), p.anonymous() ? null : p.userId(), session.id(),
                e.idempotencyKey(), config.idempotencyWindow(), ns.keepsHistory() ? streamOptions(ns) : null,
                session.frameArrivedNanos());
        node.hub().publish(req).whenComplete((result, failure) -> session.onLoop(() -> {
            if (failure == null) {
                node.metrics().published(false);
            }
            if (failure != null) {
                session.error(e.id(), ErrorCode.UNAVAILABLE, "publish failed: " + why(failure));
            } else if (result.hasPosition()) {
                session.send(Envelope.ack(e.id(), Json.object(g -> {
                    g.writeNumberField("offset", result.offset());
                    g.writeStringField("epoch", result.epoch());
                })));
            } else {
                session.send(Envelope.ack(e.id(), null));
            }
        }));
    }

    void history(Envelope e) {
        NamespaceConfig ns = namespace(e);
        if (ns == null) {
            return;
        }
        // Access first: who may not read a channel does not learn which features it has.
        if (!allowed(e, ns.historyAccess(), "read history of")) {
            return;
        }
        if (!ns.keepsHistory()) {
            session.error(e.id(), ErrorCode.NOT_AVAILABLE, "channel " + e.channel() + " keeps no history");
            return;
        }
        int limit = e.limit() == null ? Math.min(100, ns.historySize()) : Math.min(e.limit(), MAX_HISTORY_LIMIT);
        boolean reverse = Boolean.TRUE.equals(e.reverse());
        long after = e.since() == null ? -1 : e.since().offset();
        node.hub().engine().history(e.channel(), new HistoryQuery(after, limit, reverse), streamOptions(ns))
                .whenComplete((h, failure) -> session.onLoop(() -> {
                    if (failure != null) {
                        session.error(e.id(), ErrorCode.UNAVAILABLE, "history failed: " + why(failure));
                    } else if (e.since() != null && !e.since().epoch().equals(h.epoch())) {
                        session.error(e.id(), ErrorCode.UNRECOVERABLE, "the stream's epoch is now " + h.epoch());
                    } else {
                        int budget = config.maxFrameBytes() - Session.PUSH_OVERHEAD_BYTES;
                        session.send(Envelope.ack(e.id(), HistoryPayload.of(h, budget)));
                    }
                }));
    }

    void presence(Envelope e) {
        NamespaceConfig ns = namespace(e);
        if (ns == null) {
            return;
        }
        if (!allowed(e, ns.presenceAccess(), "read presence of")) {
            return;
        }
        if (!ns.presence()) {
            session.error(e.id(), ErrorCode.NOT_AVAILABLE, "channel " + e.channel() + " does not track presence");
            return;
        }
        node.hub().engine().presence(e.channel()).whenComplete((entries, failure) -> session.onLoop(() -> {
            if (failure != null) {
                session.error(e.id(), ErrorCode.UNAVAILABLE, "presence failed: " + why(failure));
            } else {
                session.send(Envelope.ack(e.id(), HistoryPayload.presence(entries, config.maxFrameBytes() - Session.PUSH_OVERHEAD_BYTES)));
            }
        }));
    }

    // ---- namespace and permission checks --------------------------------------------------------

    private NamespaceConfig namespace(Envelope e) {
        NamespaceConfig ns = config.namespaces().forChannel(e.channel());
        if (ns == null) {
            session.error(e.id(), ErrorCode.UNKNOWN_CHANNEL, "no namespace '" + io.switchboard.protocol.ChannelNames.namespace(e.channel())
                    + "' on this node");
        }
        return ns;
    }

    private boolean permits(Access access, String channel) {
        Principal p = session.principal();
        if (!userLimitedAllows(channel, p)) {
            return false;
        }
        return switch (access) {
            case ANONYMOUS -> true;
            case AUTHENTICATED -> !p.anonymous();
            case CLAIM -> !p.anonymous() && p.claims(channel);
            case NONE -> false;
        };
    }

    private boolean allowed(Envelope e, Access access, String action) {
        Principal p = session.principal();
        boolean ok = permits(access, e.channel());
        if (!ok) {
            String who = p.anonymous() ? "anonymous users" : "user " + p.userId();
            if (!userLimitedAllows(e.channel(), p)) {
                who += " (the channel is limited to the users after its '#')";
            }
            session.error(e.id(), ErrorCode.FORBIDDEN, action + " " + e.channel() + " is not allowed for " + who
                    + " (namespace access: " + access.wireName() + ")");
        }
        return ok;
    }

    /**
     * A channel with {@code #} in its name, such as {@code dm:#alice,bob}, is user-limited: only the users
     * listed after the {@code #} (comma-separated) may use it, whatever the namespace allows.
     */
    static boolean userLimitedAllows(String channel, Principal p) {
        int hash = channel.indexOf('#');
        if (hash < 0) {
            return true;
        }
        if (p.anonymous()) {
            return false;
        }
        for (String u : channel.substring(hash + 1).split(",")) {
            if (u.equals(p.userId())) {
                return true;
            }
        }
        return false;
    }

    /** An engine failure's own message, without the CompletionException wrapper of a chained future. */
    static String why(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    static StreamOptions streamOptions(NamespaceConfig ns) {
        return new StreamOptions(ns.historySize(), ns.historyTtl(), ns.streamTtl());
    }
}
