package io.switchboard.server.node;

import io.switchboard.protocol.ChannelNames;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.StreamPosition;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Authenticator;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.Access;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PresencePage;
import io.switchboard.server.engine.PresenceStore;
import io.switchboard.server.engine.Streams;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.engine.StreamOptions;
import io.switchboard.server.hub.Hub;
import io.switchboard.server.hub.Subscriber;
import io.switchboard.server.metrics.Metrics;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * The one place where a channel operation is decided and carried out, whichever front door asked: the
 * namespace lookup, the access check against the caller, the payload limit, the stream options, the
 * recovery decision (carried out by {@code StreamRecovery}), rpc (by {@code RpcCalls}), presence, metrics,
 * and the cluster-wide disconnect and unsubscribe. Front doors decode their wire format, call this, and
 * encode the answer; none of them decides what an operation means.
 *
 * <p>Checks throw {@link ChannelException} at once; engine failures fail the returned future with a
 * {@code ChannelException} of code {@code unavailable}. Thread-safe and stateless apart from what it holds.
 */
public final class ChannelService {

    /** Room a push needs besides its payload: a publish's payload may be at most the frame limit minus this. */
    public static final int PUSH_OVERHEAD_BYTES = 1024;
    /** Most publications one history read returns. */
    public static final int MAX_HISTORY_LIMIT = 1000;
    /** Longest idempotency key. */
    public static final int MAX_IDEMPOTENCY_KEY = 256;

    private final ServerConfig config;
    private final Hub hub;
    private final Streams streams;
    private final PresenceStore presence;
    private final Authenticator authenticator;
    private final Metrics metrics;
    private final Cluster cluster;
    private final Hooks hooks;
    private final RpcCalls rpc;
    private final StreamRecovery recovery;
    private volatile io.switchboard.server.events.Events events;

    /** How the cluster-wide operations reach every node (the node's control messages). */
    interface Cluster {
        CompletableFuture<Void> broadcast(byte[] controlMessage);
    }

    ChannelService(ServerConfig config, Hub hub, Streams streams, PresenceStore presence, Authenticator authenticator,
                   Metrics metrics, Cluster cluster, Hooks hooks) {
        this.hooks = hooks;
        this.config = config;
        this.hub = hub;
        this.streams = streams;
        this.presence = presence;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.cluster = cluster;
        this.rpc = new RpcCalls(hooks);
        this.recovery = new StreamRecovery(config, streams);
    }

    /** Where subscriptions and publications are reported as the backend's events (set once by the node). */
    void events(io.switchboard.server.events.Events e) {
        this.events = e;
    }

    /**
     * A client's subscribe was answered and the subscription stands: reported as the backend's
     * {@code subscribe} (and {@code presence_join}, {@code channel_occupied}) events. Front doors call it once
     * per subscription, after the answer.
     */
    public void subscribed(Caller caller, String channel) {
        io.switchboard.server.events.Events e = events;
        if (e != null && !caller.isServer()) {
            NamespaceConfig ns = config.namespaces().forChannel(channel);
            e.subscribed(caller.clientId(), channel, ns != null && ns.presence() && caller.identified()
                    ? caller.principal().userId() : null);
        }
    }

    // ---- namespaces and access --------------------------------------------------------------------

    /** The channel's namespace; {@code unknown_channel} when the name is malformed or its namespace does not exist. */
    public NamespaceConfig namespace(String channel) {
        String problem = ChannelNames.problem(channel);
        if (problem != null) {
            throw new ChannelException(ErrorCode.UNKNOWN_CHANNEL, problem);
        }
        NamespaceConfig ns = config.namespaces().forChannel(channel);
        if (ns == null) {
            throw new ChannelException(ErrorCode.UNKNOWN_CHANNEL, "no namespace '" + ChannelNames.namespace(channel) + "' on this node");
        }
        return ns;
    }

    /** Largest publish payload: every push of it must fit the frame limit clients were told. */
    public int maxPayloadBytes() {
        return config.maxFrameBytes() - PUSH_OVERHEAD_BYTES;
    }

    /**
     * Largest payload that is not JSON (protocol.md 3.6): JSON subscribers get it in base64, which must fit
     * where a JSON payload of {@link #maxPayloadBytes} would.
     */
    public int maxBinaryPayloadBytes() {
        return maxPayloadBytes() / 4 * 3;
    }

    /** Whether {@code caller} passes {@code access} on {@code channel} (the server side always does). */
    public static boolean permits(Caller caller, Access access, String channel) {
        if (caller.isServer() || caller.vouched()) {
            return true;
        }
        Principal p = caller.principal();
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

    private static void check(Caller caller, Access access, String action, String channel) {
        if (permits(caller, access, channel)) {
            return;
        }
        Principal p = caller.principal();
        String who = p.anonymous() ? "anonymous users" : "user " + p.userId();
        if (!userLimitedAllows(channel, p)) {
            who += " (the channel is limited to the users after its '#')";
        }
        throw new ChannelException(ErrorCode.FORBIDDEN, action + " " + channel + " is not allowed for " + who
                + " (namespace access: " + access.wireName() + ")");
    }

    /**
     * A channel with {@code #} in its name, such as {@code dm:#alice,bob}, is user-limited: only the users
     * listed after the {@code #} (comma-separated) may use it, whatever the namespace allows.
     */
    public static boolean userLimitedAllows(String channel, Principal p) {
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

    public static StreamOptions streamOptions(NamespaceConfig ns) {
        return new StreamOptions(ns.historySize(), ns.historyTtl(), ns.streamTtl());
    }

    // ---- publish ----------------------------------------------------------------------------------

    /**
     * Publishes {@code payload} (JSON bytes, kept as they are) to a channel: checks the namespace, the
     * caller's publish access, the payload size ({@code too_large}) and the key's length; an idempotency key
     * seen within the window gets the original result and publishes nothing.
     */
    public CompletableFuture<PublishResult> publish(Caller caller, String channel, byte[] payload, String idempotencyKey,
                                                    long ingressNanos) {
        NamespaceConfig ns = namespace(channel);
        check(caller, ns.publish(), "publish to", channel);
        if (payload.length > maxPayloadBytes()) {
            throw new ChannelException(ErrorCode.TOO_LARGE, "payload is over " + maxPayloadBytes() + " bytes");
        }
        if (payload.length > maxBinaryPayloadBytes() && !io.switchboard.protocol.JsonPayloads.isJson(payload)) {
            throw new ChannelException(ErrorCode.TOO_LARGE, "a binary payload is over " + maxBinaryPayloadBytes()
                    + " bytes (JSON subscribers get it in base64, a third larger)");
        }
        if (idempotencyKey != null && idempotencyKey.length() > MAX_IDEMPOTENCY_KEY) {
            throw new ChannelException(ErrorCode.BAD_REQUEST, "idempotencyKey is longer than " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        if (!caller.isServer() && hooks.decidesPublish(ns.name())) {
            // The application's decision first; a replaced payload meets the same size limit.
            return hooks.publish(caller, channel, payload).toCompletableFuture().handle((decided, refused) -> {
                if (refused != null) {
                    throw ChannelException.of(refused, "the publish decision failed");
                }
                if (decided == null || decided.length > maxPayloadBytes()) {
                    throw new ChannelException(ErrorCode.UNAVAILABLE, "the publish decision returned "
                            + (decided == null ? "no payload" : "a payload over " + maxPayloadBytes() + " bytes"));
                }
                return decided;
            }).thenCompose(decided -> append(caller, ns, channel, decided, idempotencyKey, ingressNanos));
        }
        return append(caller, ns, channel, payload, idempotencyKey, ingressNanos);
    }

    private CompletableFuture<PublishResult> append(Caller caller, NamespaceConfig ns, String channel, byte[] payload,
                                                    String idempotencyKey, long ingressNanos) {
        PublishRequest req = new PublishRequest(channel, payload, caller.from(), caller.clientId(), idempotencyKey,
                config.idempotencyWindow(), ns.keepsHistory() ? streamOptions(ns) : null, ingressNanos);
        return hub.publish(req).handle((result, failure) -> {
            if (failure != null) {
                throw ChannelException.of(failure, "publish failed");
            }
            metrics.published(caller.isServer());
            io.switchboard.server.events.Events e = events;
            if (e != null) {
                e.published(channel, caller.from(), caller.clientId(), payload, result.offset());
            }
            return result;
        });
    }

    // ---- rpc --------------------------------------------------------------------------------------

    /**
     * A client's call to the application's backend ({@link Hooks#rpc}): completes with the result's JSON bytes,
     * or fails with a {@code ChannelException}: {@code not_available} when the node has no rpc hook,
     * {@code too_large} for a payload over the publish limit, the backend's refusal, or {@code unavailable}.
     */
    public CompletableFuture<byte[]> rpc(Caller caller, String method, byte[] payload) {
        return rpc.call(caller, method, payload, maxPayloadBytes());
    }

    // ---- subscribe --------------------------------------------------------------------------------

    /**
     * What a subscribe was granted.
     *
     * @param namespace  the channel's namespace
     * @param mayRecover whether the caller may recover (read history); without it a {@code since} is
     *                   answered {@code recovered: false, reason: forbidden}
     * @param byToken    true when a subscription token, not the connection's own rights, granted it
     */
    public record Grant(NamespaceConfig namespace, boolean mayRecover, boolean byToken) {
    }

    /**
     * Decides whether a client may subscribe: with {@code subscriptionToken}, the backend vouches for this
     * user on this one channel (unless the namespace closes subscribing to all); without it the namespace's
     * subscribe level decides.
     */
    public Grant admitSubscribe(Caller caller, String channel, String subscriptionToken) {
        NamespaceConfig ns = namespace(channel);
        if (subscriptionToken == null) {
            check(caller, ns.subscribe(), "subscribe to", channel);
            return new Grant(ns, permits(caller, ns.historyAccess(), channel), false);
        }
        if (ns.subscribe() == Access.NONE) {
            throw new ChannelException(ErrorCode.FORBIDDEN, "subscribe to " + channel
                    + " is not allowed for anyone (namespace access: none)");
        }
        String why = subscriptionTokenProblem(caller, subscriptionToken, channel);
        if (why != null) {
            throw new ChannelException(ErrorCode.FORBIDDEN, "subscription token refused: " + why);
        }
        return new Grant(ns, ns.historyAccess() != Access.NONE, true);
    }

    /** Whether a subscription still stands after the caller's token changed (a {@code refresh}). */
    public boolean stillAllowed(Caller caller, String channel, boolean byToken) {
        NamespaceConfig ns = config.namespaces().forChannel(channel);
        // Subscriptions granted by a subscription token stand on that token, not the connection's.
        return ns != null && (byToken || permits(caller, ns.subscribe(), channel));
    }

    private String subscriptionTokenProblem(Caller caller, String token, String channel) {
        Principal p = caller.principal();
        Principal t;
        try {
            t = authenticator.authenticate(token);
        } catch (AuthException ex) {
            return ex.getMessage();
        }
        if (p == null || t.anonymous() || !t.userId().equals(p.userId())) {
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

    /** Whether a subscribe of {@code caller} waits for the application's decision ({@link #decideSubscribe}). */
    public boolean subscribeNeedsDecision(Caller caller, String channel) {
        NamespaceConfig ns = config.namespaces().forChannel(channel);
        return !caller.isServer() && ns != null && hooks.decidesSubscribe(ns.name());
    }

    /**
     * The application's decision on a subscribe that {@link #admitSubscribe} granted: completes when it is
     * allowed, fails with a {@code ChannelException} when refused ({@code forbidden}) or when the decision
     * failed ({@code unavailable}).
     */
    public CompletableFuture<Void> decideSubscribe(Caller caller, String channel) {
        if (!subscribeNeedsDecision(caller, channel)) {
            return CompletableFuture.completedFuture(null);
        }
        return hooks.subscribe(caller, channel).toCompletableFuture().handle((ok, refused) -> {
            if (refused != null) {
                throw ChannelException.of(refused, "the subscribe decision failed");
            }
            return null;
        });
    }

    /** Adds a local subscriber; completes when the engine delivers the channel to this node. */
    public CompletableFuture<Void> attach(String channel, Subscriber subscriber) {
        return hub.subscribe(channel, subscriber).handle((ok, failure) -> {
            if (failure != null) {
                throw ChannelException.of(failure, "the engine could not subscribe");
            }
            return null;
        });
    }

    /** Removes a local subscriber, and the caller's presence in the channel. */
    public void detach(Caller caller, String channel, Subscriber subscriber) {
        hub.unsubscribe(channel, subscriber);
        io.switchboard.server.events.Events e = events;
        if (e != null && !caller.isServer()) {
            e.unsubscribed(caller.clientId(), channel, "unsubscribe");
        }
        NamespaceConfig ns = config.namespaces().forChannel(channel);
        if (ns != null && ns.presence() && caller.identified()) {
            presence.presenceLeave(channel, caller.clientId());
        }
    }

    /**
     * The answer to a subscribe on a channel with history.
     *
     * @param publications what the client missed, in order, when {@code recovered}; empty otherwise
     * @param reason       why it was not recovered (protocol.md 10.3), or null
     */
    public record Recovery(String epoch, long offset, boolean recovered, String reason, List<Publication> publications) {
    }

    /**
     * Reads the channel's position, and with {@code since} what came after it, and decides whether the
     * client recovers (protocol.md 10.3). Called after {@link #attach}, so that nothing published between
     * the two is missed; the caller passes on live frames above {@link Recovery#offset()} only.
     */
    public CompletableFuture<Recovery> recover(String channel, Grant grant, StreamPosition since) {
        return recovery.recover(channel, grant, since);
    }

    /** True when {@code channel}'s namespace tracks presence: only then does {@link #joinPresence} keep an entry. */
    public boolean tracksPresence(String channel) {
        NamespaceConfig ns = config.namespaces().forChannel(channel);
        return ns != null && ns.presence();
    }

    /** Adds (or renews) the caller's presence entry, when the channel tracks presence and the caller has a token. */
    public void joinPresence(Caller caller, String channel) {
        if (tracksPresence(channel) && caller.identified()) {
            Principal p = caller.principal();
            presence.presenceJoin(channel, new PresenceEntry(caller.clientId(), p.userId(), p.info()), config.presenceTtl());
        }
    }

    // ---- history, presence, channels --------------------------------------------------------------

    /**
     * Reads a channel's history; {@code expectedEpoch}, when given, must be the stream's epoch
     * ({@code unrecoverable} otherwise). The limit is capped at {@link #MAX_HISTORY_LIMIT}.
     */
    public CompletableFuture<HistoryResult> history(Caller caller, String channel, HistoryQuery query, String expectedEpoch) {
        NamespaceConfig ns = namespace(channel);
        // Access first: who may not read a channel does not learn which features it has.
        check(caller, ns.historyAccess(), "read history of", channel);
        if (!ns.keepsHistory()) {
            throw new ChannelException(ErrorCode.NOT_AVAILABLE, "channel " + channel + " keeps no history");
        }
        HistoryQuery q = new HistoryQuery(query.after(), Math.min(query.limit(), MAX_HISTORY_LIMIT), query.reverse());
        return streams.history(channel, q, streamOptions(ns)).handle((h, failure) -> {
            if (failure != null) {
                throw ChannelException.of(failure, "history failed");
            }
            if (expectedEpoch != null && !expectedEpoch.equals(h.epoch())) {
                throw new ChannelException(ErrorCode.UNRECOVERABLE, "the stream's epoch is now " + h.epoch()
                        + "; offsets of another epoch mean nothing in it");
            }
            return h;
        });
    }

    /** Everyone present in a channel, one entry per connection. */
    public CompletableFuture<List<PresenceEntry>> presence(Caller caller, String channel) {
        NamespaceConfig ns = namespace(channel);
        check(caller, ns.presenceAccess(), "read presence of", channel);
        if (!ns.presence()) {
            throw new ChannelException(ErrorCode.NOT_AVAILABLE, "channel " + channel + " does not track presence");
        }
        return presence.presence(channel).handle((entries, failure) -> {
            if (failure != null) {
                throw ChannelException.of(failure, "presence failed");
            }
            return entries;
        });
    }

    /** Most connections one page of presence lists. */
    public static final int MAX_PRESENCE_LIMIT = 1000;

    /**
     * One page of a channel's presence: up to {@code limit} connections (absent or over
     * {@link #MAX_PRESENCE_LIMIT}: that many; 0: none, only the counts) after {@code cursor}, the opaque
     * position a page before gave out ({@code bad_request} when it was not given out for this channel), with the
     * channel's user and connection counts. The cost grows with the page, not with the channel.
     */
    public CompletableFuture<PresencePage> presencePage(Caller caller, String channel, Integer limit, String cursor) {
        NamespaceConfig ns = namespace(channel);
        check(caller, ns.presenceAccess(), "read presence of", channel);
        if (!ns.presence()) {
            throw new ChannelException(ErrorCode.NOT_AVAILABLE, "channel " + channel + " does not track presence");
        }
        String after = cursor == null ? null : PresenceCursor.position(channel, cursor);
        int n = limit == null ? MAX_PRESENCE_LIMIT : Math.min(limit, MAX_PRESENCE_LIMIT);
        return presence.presencePage(channel, after, Math.max(1, n)).handle((page, failure) -> {
            if (failure != null) {
                throw ChannelException.of(failure, "presence failed");
            }
            return n > 0 ? page : new PresencePage(List.of(), page.users(), page.clients(), null);
        });
    }

    /** This node's channels with local subscribers whose name starts with {@code prefix}, with their counts. */
    public SortedMap<String, Integer> localChannels(String prefix) {
        return hub.channels(prefix == null ? "" : prefix);
    }

    // ---- across the cluster -----------------------------------------------------------------------

    /** Ends every connection of {@code userId} on every node with {@code code}. */
    public CompletableFuture<Void> disconnectUser(String userId, CloseCode code) {
        return broadcast(ControlMessages.disconnect(userId, code));
    }

    /** Ends {@code userId}'s subscriptions to {@code channel} on every node, with an {@code unsubscribed} push. */
    public CompletableFuture<Void> unsubscribeUser(String userId, String channel) {
        namespace(channel);
        return broadcast(ControlMessages.unsubscribe(userId, channel));
    }

    /**
     * Subscribes every connection of {@code userId}, on every node, to {@code channel} (server-side: no access
     * check or subscribe hook, the server decided); each client gets a {@code subscribed} push.
     */
    public CompletableFuture<Void> subscribeUser(String userId, String channel) {
        namespace(channel);
        return broadcast(ControlMessages.subscribe(userId, channel));
    }

    /**
     * What a server-side subscription is granted: the namespace's history, always recoverable, and standing on
     * the server's word (a refresh's new token does not end it).
     */
    public Grant serverGrant(String channel) {
        NamespaceConfig ns = namespace(channel);
        return new Grant(ns, ns.historyAccess() != Access.NONE, true);
    }

    private CompletableFuture<Void> broadcast(byte[] message) {
        return cluster.broadcast(message).handle((ok, failure) -> {
            if (failure != null) {
                throw ChannelException.of(failure, "the engine could not reach the other nodes");
            }
            return null;
        });
    }
}
