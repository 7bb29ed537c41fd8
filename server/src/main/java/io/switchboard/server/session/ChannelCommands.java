package io.switchboard.server.session;

import io.switchboard.protocol.CommandId;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.ChannelService;
import io.switchboard.server.node.HistoryPayload;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.Json;
import io.switchboard.server.util.LogText;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel commands of one session, in the native protocol: it decodes what a command asks, lets the
 * node's {@link ChannelService} decide and carry it out, and answers with acks and errors. What stays
 * here is what belongs to a connection: its subscriptions (held back while they recover, then live), the
 * per-connection channel limit, and the order of replies. A base class of {@link Session}, like
 * {@link CommandIntake}, so that a connection pays for no extra object: what it needs of the session it
 * declares below. Event loop only, like its session.
 */
abstract class ChannelCommands extends CommandIntake implements ChannelSubscription.Interruptions {

    private static final Logger log = LoggerFactory.getLogger(ChannelCommands.class);

    private static final String INTERRUPTED_WHILE_SUBSCRIBING =
            "this node may have missed messages of the channel while its link to the cluster was down; subscribe again";

    // This session's subscriptions: most connections follow one channel, held in `one`; the others in `more`
    // (channel -> subscription), made for the second. Through get/put/remove/count/all only.
    private ChannelSubscription one;
    private Map<String, ChannelSubscription> more;
    private RpcLimits rpcLimits; // made by the first rpc

    ChannelCommands(ServerConfig config) {
        super(config);
    }

    // ---- what the session provides (Session's methods of these names) ----
    abstract Node node();

    public abstract String clientAddress();

    abstract Map<String, List<String>> keptHeaders();

    abstract void onLoop(Runnable r);

    abstract Outbound outbound();

    abstract void push(Envelope e);

    abstract void send(Envelope e);

    abstract void sendMessage(Publication p);

    /** The session id as one string the session keeps once something lasting holds it (see {@link #keepingCaller}). */
    abstract String keptId();

    private ChannelService channels() {
        return node().channels();
    }

    // ---- the subscriptions ------------------------------------------------------------------------

    private ChannelSubscription get(String ch) {
        if (one != null && one.channel.equals(ch)) {
            return one;
        }
        return more == null ? null : more.get(ch);
    }

    /** Adds {@code sub}; its channel has no subscription here (callers look first). */
    private void put(ChannelSubscription sub) {
        if (one == null || one.channel.equals(sub.channel)) {
            one = sub;
            return;
        }
        if (more == null) {
            more = new HashMap<>(4);
        }
        more.put(sub.channel, sub);
    }

    private boolean remove(String ch) {
        if (one != null && one.channel.equals(ch)) {
            one = null;
            return true;
        }
        return more != null && more.remove(ch) != null;
    }

    private int count() {
        return (one == null ? 0 : 1) + (more == null ? 0 : more.size());
    }

    /** A copy of every subscription, so that the caller may drop some while going through them. */
    private List<ChannelSubscription> all() {
        List<ChannelSubscription> all = new java.util.ArrayList<>(count());
        if (one != null) {
            all.add(one);
        }
        if (more != null) {
            all.addAll(more.values());
        }
        return all;
    }

    /** The session as the channel service sees it, for a command that keeps nothing of it. */
    Caller caller() {
        return Caller.client(principal(), id(), clientAddress(), keptHeaders());
    }

    /**
     * As {@link #caller}, for what keeps the caller's id beyond the command: a publication (history keeps
     * it), a presence entry. It names the session's one kept copy of its id ({@link #keptId}), so that what
     * is kept shares one string rather than one each.
     */
    private Caller keepingCaller() {
        return Caller.client(principal(), keptId(), clientAddress(), keptHeaders());
    }

    // ---- subscribe and recovery ----------------------------------------------------------------

    void subscribe(Envelope e) {
        String ch = node().hub().sharedName(e.channel()); // kept by the subscription: the hub's copy, not one per connection
        Caller caller = caller();
        ChannelService.Grant grant;
        try {
            grant = channels().admitSubscribe(caller, ch, e.token());
        } catch (ChannelException x) {
            fail(e.id(), x);
            return;
        }
        ChannelSubscription previous = get(ch);
        if (previous != null && previous.ended()) {
            dropSubscription(ch, previous); // interrupted, and the client was told so before this subscribe
        } else if (previous != null) {
            error(e.id(), ErrorCode.ALREADY_SUBSCRIBED, "already subscribed to " + ch);
            return;
        }
        if (count() >= config().limits().maxChannelsPerConnection()) {
            error(e.id(), ErrorCode.LIMIT_EXCEEDED, "at most " + config().limits().maxChannelsPerConnection() + " channels per connection");
            return;
        }
        boolean history = grant.namespace().keepsHistory();
        ChannelSubscription sub = new ChannelSubscription(ch, outbound(), grant.namespace().echo() ? null : keptId(),
                !history, grant.byToken());
        put(sub);
        node().metrics().subscriptionAdded();
        sub.onInterrupted(this);
        if (channels().subscribeNeedsDecision(caller, ch)) {
            // The application decides first (Hooks); nothing is attached until it allowed the subscribe.
            channels().decideSubscribe(caller, ch).whenComplete((ok, refused) -> whileSubscribing(e, sub, refused,
                    () -> attach(e, sub, grant)));
        } else {
            attach(e, sub, grant);
        }
    }

    private void attach(Envelope e, ChannelSubscription sub, ChannelService.Grant grant) {
        String ch = e.channel();
        boolean history = grant.namespace().keepsHistory();
        channels().attach(ch, sub).whenComplete((ok, failure) -> whileSubscribing(e, sub, failure, () -> {
            joinPresence(ch);
            if (!history) {
                // Nothing to recover from; a client that asked is told so rather than left guessing.
                send(Envelope.ack(e.id(), e.since() == null ? null : Json.object(g -> {
                    g.writeBooleanField("recovered", false);
                    g.writeStringField("reason", "no_history");
                })));
                channels().subscribed(caller(), ch);
                return;
            }
            channels().recover(ch, grant, e.since()).whenComplete((r, readFailure) -> whileSubscribing(e, sub, readFailure,
                    () -> answerRecovered(e, sub, r)));
        }));
    }

    /**
     * Runs one step of a subscribe on the event loop, unless the subscription is gone (answered
     * {@code not_subscribed}) or the step failed or was interrupted (dropped, answered {@code unavailable}):
     * every subscribe gets exactly one answer.
     */
    private void whileSubscribing(Envelope e, ChannelSubscription sub, Throwable failure, Runnable next) {
        onLoop(() -> {
            String ch = e.channel();
            if (get(ch) != sub) {
                // Unsubscribed (or the session ended) while the engine was working: say so anyway.
                error(e.id(), ErrorCode.NOT_SUBSCRIBED, "unsubscribed from " + ch + " before the subscribe completed");
            } else if (failure != null || sub.ended()) {
                dropSubscription(ch, sub);
                fail(e.id(), failure != null ? ChannelException.of(failure, "subscribe failed")
                        : new ChannelException(ErrorCode.UNAVAILABLE, INTERRUPTED_WHILE_SUBSCRIBING));
            } else {
                next.run();
            }
        });
    }

    /** Answers the subscribe, sends what the client missed, then goes live right after the ack's offset. */
    private void answerRecovered(Envelope e, ChannelSubscription sub, ChannelService.Recovery r) {
        send(Envelope.ack(e.id(), Json.object(g -> {
            g.writeStringField("epoch", r.epoch());
            g.writeNumberField("offset", r.offset());
            g.writeBooleanField("recovered", r.recovered());
            if (r.reason() != null) {
                g.writeStringField("reason", r.reason());
            }
        })));
        for (Publication p : r.publications()) {
            sendMessage(p);
        }
        // Recovered or not, the client continues from the ack's offset, so the first live frame is the next
        // offset, however far behind the stream this node's live feed still is.
        sub.goLive(r.epoch(), r.offset());
        channels().subscribed(caller(), e.channel());
    }

    void unsubscribe(Envelope e) {
        ChannelSubscription sub = get(e.channel());
        if (sub == null) {
            try {
                channels().namespace(e.channel()); // a channel no namespace knows is unknown_channel, not not_subscribed
                error(e.id(), ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + e.channel());
            } catch (ChannelException x) {
                fail(e.id(), x);
            }
            return;
        }
        dropSubscription(e.channel(), sub);
        send(Envelope.ack(e.id(), null));
    }

    private void dropSubscription(String ch, ChannelSubscription sub) {
        if (remove(ch)) {
            node().metrics().subscriptionRemoved();
        }
        channels().detach(caller(), ch, sub);
        sub.cancel();
    }

    /**
     * The server subscribes this connection to {@code ch} (a server-side subscription: the token's or the
     * connect hook's {@code subscribe} list, the personal channel, or the server API's subscribe): no access
     * check and no subscribe hook. The client is told with a {@code subscribed} push carrying the position the
     * live messages continue from; nothing is recovered here (the client reads history from its own position,
     * protocol.md 4.12). Already subscribed, an unknown namespace, or the channel limit: nothing happens.
     */
    void addByServer(String ch) {
        ChannelSubscription previous = get(ch);
        if (previous != null && !previous.ended()) {
            return;
        }
        ChannelService.Grant grant;
        try {
            grant = channels().serverGrant(ch);
        } catch (ChannelException x) {
            if (log.isDebugEnabled()) {
                log.debug("session {}: no server-side subscription to {}: {}", id(), LogText.escape(ch), x.getMessage());
            }
            return;
        }
        if (previous != null) {
            dropSubscription(ch, previous);
        }
        if (count() >= config().limits().maxChannelsPerConnection()) {
            log.info("session {}: server-side subscription to {} not made: the connection has {} channels already",
                    id(), LogText.escape(ch), count());
            return;
        }
        boolean history = grant.namespace().keepsHistory();
        ChannelSubscription sub = new ChannelSubscription(ch, outbound(), grant.namespace().echo() ? null : keptId(),
                !history, true);
        put(sub);
        node().metrics().subscriptionAdded();
        sub.onInterrupted(this);
        Runnable drop = () -> {
            if (get(ch) == sub) {
                dropSubscription(ch, sub);
            }
        };
        channels().attach(ch, sub).whenComplete((ok, failure) -> onLoop(() -> {
            if (get(ch) != sub || failure != null || sub.ended()) {
                drop.run();
                return;
            }
            joinPresence(ch);
            if (!history) {
                send(Envelope.builder(MessageType.SUBSCRIBED).channel(ch).build());
                channels().subscribed(caller(), ch);
                return;
            }
            channels().recover(ch, grant, null).whenComplete((r, readFailure) -> onLoop(() -> {
                if (get(ch) != sub || readFailure != null || sub.ended()) {
                    drop.run();
                    return;
                }
                send(Envelope.builder(MessageType.SUBSCRIBED).channel(ch).payload(Json.object(g -> {
                    g.writeStringField("epoch", r.epoch());
                    g.writeNumberField("offset", r.offset());
                })).build());
                sub.goLive(r.epoch(), r.offset());
                channels().subscribed(caller(), ch);
            }));
        }));
    }

    /** The server API asked to end this connection's subscription to {@code ch}: drop it and say so. */
    void removeByServer(String ch) {
        ChannelSubscription sub = get(ch);
        if (sub != null) {
            dropSubscription(ch, sub);
            send(unsubscribed(ch, ErrorCode.REMOVED, "the server ended the subscription to " + ch));
        }
    }

    /** Leaves every channel (the session is closing). */
    void leaveAll() {
        for (ChannelSubscription s : all()) {
            dropSubscription(s.channel, s);
        }
    }

    /**
     * After a {@code refresh}: ends every subscription the new token no longer allows (its
     * {@code channels} claim may have shrunk), telling the client with an {@code unsubscribed} push.
     */
    void recheckAccess() {
        for (ChannelSubscription s : all()) {
            String ch = s.channel;
            if (!channels().stillAllowed(caller(), ch, s.grantedByToken)) {
                dropSubscription(ch, s);
                send(unsubscribed(ch, ErrorCode.FORBIDDEN, "the refreshed token no longer allows subscribing to " + ch));
            }
        }
    }

    /**
     * The engine could not deliver some of the channel's publications to this node (its link to Redis or
     * NATS was lost, and they cannot be read back). The subscription ends with {@code unsubscribed} code
     * {@code unavailable}: the client subscribes again, with {@code since} where it has a position, and
     * recovers what the stream still holds, or learns that it cannot (protocol.md 4.10).
     */
    @Override
    public void interrupted(ChannelSubscription sub, boolean wasLive) {
        String ch = sub.channel;
        if (wasLive) {
            // On the thread that delivers the channel, before any later frame of it: the push comes right after
            // the last message the client got, so its `since` is exactly where the hole starts.
            push(unsubscribed(ch, ErrorCode.UNAVAILABLE, "this node may have missed messages of " + ch
                    + " while its link to the cluster was down; subscribe again"));
            onLoop(() -> {
                if (get(ch) == sub) {
                    dropSubscription(ch, sub);
                }
            });
        }
        // Still being set up: the subscribe's own step sees sub.ended() and answers `unavailable`.
    }

    private static Envelope unsubscribed(String ch, ErrorCode code, String message) {
        return Envelope.builder(MessageType.UNSUBSCRIBED).channel(ch).code(code.wireName()).message(message).build();
    }

    /** Renews this session's presence entries before their TTL runs out (called by the node's refresher). */
    void refreshPresence() {
        if (one != null) {
            joinPresence(one.channel);
        }
        if (more != null) {
            for (String ch : more.keySet()) {
                joinPresence(ch);
            }
        }
    }

    /**
     * Adds or renews this session's presence entry in {@code ch} when the channel tracks presence; the caller
     * (with the session's kept id) is made only then, so that a session in channels without presence keeps
     * no copy of its id.
     */
    private void joinPresence(String ch) {
        if (channels().tracksPresence(ch)) {
            channels().joinPresence(keepingCaller(), ch);
        }
    }

    // ---- publish, history, presence -------------------------------------------------------------

    void publish(Envelope e) {
        call(e, () -> channels().publish(keepingCaller(), e.channel(), e.payload(), e.idempotencyKey(), frameArrivedNanos()),
                result -> send(Envelope.ack(e.id(), !result.hasPosition() ? null : Json.object(g -> {
                    g.writeNumberField("offset", result.offset());
                    g.writeStringField("epoch", result.epoch());
                }))));
    }

    /** A call to the backend: rate-limited per method ({@code hooks.rpc-limits}), answered with its result. */
    void rpc(Envelope e) {
        if (rpcLimits == null) {
            rpcLimits = new RpcLimits(config().hooks().rpcLimits());
        }
        if (!rpcLimits.tryTake(e.method(), System.nanoTime())) {
            error(e.id(), ErrorCode.RATE_LIMITED, "rpc method " + e.method() + " is called faster than its limit");
            return;
        }
        call(e, () -> channels().rpc(caller(), e.method(), e.payload()), result -> send(Envelope.ack(e.id(), result)));
    }

    void history(Envelope e) {
        int limit = e.limit() == null ? Math.min(100, historySize(e.channel())) : e.limit();
        long after = e.since() == null ? -1 : e.since().offset();
        String epoch = e.since() == null ? null : e.since().epoch();
        HistoryQuery q = new HistoryQuery(after, limit, Boolean.TRUE.equals(e.reverse()));
        call(e, () -> channels().history(caller(), e.channel(), q, epoch),
                h -> send(Envelope.ack(e.id(), HistoryPayload.of(h, channels().maxPayloadBytes()))));
    }

    void presence(Envelope e) {
        call(e, () -> channels().presencePage(caller(), e.channel(), e.limit(), e.cursor()),
                page -> send(Envelope.ack(e.id(), HistoryPayload.presencePage(e.channel(), page, channels().maxPayloadBytes()))));
    }

    private int historySize(String channel) {
        var ns = config().namespaces().forChannel(channel);
        return ns == null ? 100 : ns.historySize();
    }

    /**
     * Runs one channel operation and answers it on the event loop: {@code onResult} with the result, or an
     * error with the operation's code (a refused check, or {@code unavailable} when the engine failed).
     */
    private <T> void call(Envelope e, java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> op,
                          Consumer<T> onResult) {
        java.util.concurrent.CompletableFuture<T> f;
        try {
            f = op.get();
        } catch (ChannelException x) {
            fail(e.id(), x);
            return;
        }
        f.whenComplete((result, failure) -> onLoop(() -> {
            if (failure != null) {
                fail(e.id(), ChannelException.of(failure, e.type().wireName() + " failed"));
            } else {
                onResult.accept(result);
            }
        }));
    }

    private void fail(CommandId id, ChannelException x) {
        error(id, x.code(), x.getMessage());
    }
}
