package io.switchboard.client;

import io.switchboard.protocol.ChannelNames;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.StreamPosition;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * The client's subscriptions, one per channel, and what keeps them alive across connections: subscribe
 * on every {@code welcome} (with {@code since} = the last delivered position), drop duplicates by offset,
 * retry retryable failures with backoff. The map is safe for any thread (so {@code subscribe} can refuse a
 * duplicate at once); everything else runs on the client's loop.
 */
final class Subscriptions {

    private final ConcurrentHashMap<String, Sub> byChannel = new ConcurrentHashMap<>();
    private final Executor loop;
    private final Callbacks callbacks;
    private final PendingCommands commands;
    private final Scheduler clock;
    private final Backoff backoff;
    private final RandomGenerator random;
    private final java.util.function.Function<String, SubscriptionListener> serverListeners;

    Subscriptions(Executor loop, Callbacks callbacks, PendingCommands commands, Scheduler clock, Backoff backoff,
                  RandomGenerator random, java.util.function.Function<String, SubscriptionListener> serverListeners) {
        this.serverListeners = serverListeners;
        this.loop = loop;
        this.callbacks = callbacks;
        this.commands = commands;
        this.clock = clock;
        this.backoff = backoff;
        this.random = random;
    }

    /** Any thread. */
    Subscription add(String channel, SubscriptionListener listener) {
        String problem = ChannelNames.problem(channel);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": " + channel);
        }
        Sub sub = new Sub(channel, listener);
        Sub existing = byChannel.putIfAbsent(channel, sub);
        if (existing != null) {
            throw new IllegalStateException("this client already has a subscription to " + channel
                    + " (the server allows one per connection); unsubscribe it first");
        }
        loop.execute(() -> {
            if (sub.active && commands.isConnected()) {
                send(sub);
            }
        });
        return sub;
    }

    // ---- connection events (loop) ----------------------------------------------------------------

    /** A new connection is ready: subscribe to every channel again. */
    void onConnected() {
        for (Sub sub : byChannel.values()) {
            send(sub);
        }
    }

    void onDisconnected() {
        for (Sub sub : byChannel.values()) {
            sub.subscribed = false;
            sub.cancelRetry();
        }
    }

    /** The client was closed by its user: every subscription ends. */
    void closeAll() {
        SwitchboardException closed = new SwitchboardException(SwitchboardException.CLOSED, "the client was closed", false);
        for (Sub sub : List.copyOf(byChannel.values())) {
            end(sub, closed);
        }
    }

    // ---- pushes (loop) ---------------------------------------------------------------------------

    void onMessage(Envelope e) {
        Sub sub = e.channel() == null ? null : byChannel.get(e.channel());
        if (sub == null || !sub.active) {
            return; // e.g. a message already on its way when we unsubscribed
        }
        if (sub.held != null) {
            sub.held.add(e); // a history read is filling the gap before it
            return;
        }
        deliver(sub, e);
    }

    private void deliver(Sub sub, Envelope e) {
        long offset = e.offset() == null ? -1 : e.offset();
        if (e.epoch() != null && offset >= 0) {
            StreamPosition last = sub.position;
            // Recovery replays from `since`, which may overlap what was delivered: positions decide.
            if (last != null && last.epoch().equals(e.epoch()) && offset <= last.offset()) {
                return;
            }
            sub.position = new StreamPosition(e.epoch(), offset);
        }
        byte[] payload = e.payload() == null ? "null".getBytes(java.nio.charset.StandardCharsets.UTF_8) : e.payload();
        Message m = new Message(e.channel(), payload, e.from(), e.ts() == null ? 0 : e.ts(), offset, e.epoch());
        callbacks.event(() -> {
            if (sub.active) {
                sub.listener.onMessage(m);
            }
        });
    }

    void onPresence(Envelope e) {
        Sub sub = e.channel() == null ? null : byChannel.get(e.channel());
        PresenceEvent ev = sub == null ? null : PresencePushes.update(e);
        if (ev == null) {
            return;
        }
        callbacks.event(() -> {
            if (sub.active) {
                sub.listener.onPresence(ev);
            }
        });
    }

    /** A {@code presenceDiff} or {@code presenceCount} push. */
    void onPresenceWindow(Envelope e) {
        Sub sub = e.channel() == null ? null : byChannel.get(e.channel());
        java.util.function.Consumer<SubscriptionListener> call = sub == null ? null : PresencePushes.window(e);
        if (call == null) {
            return;
        }
        callbacks.event(() -> {
            if (sub.active) {
                call.accept(sub.listener);
            }
        });
    }

    /** The server ended a subscription ({@code unsubscribed} push). */
    void onUnsubscribed(Envelope e) {
        Sub sub = e.channel() == null ? null : byChannel.get(e.channel());
        if (sub != null && "unavailable".equals(e.code())) {
            // The node's link to the cluster broke and it may have missed messages of the channel: subscribe
            // again from the last position seen, which recovers them (or says why not) like a reconnect does.
            sub.subscribed = false;
            send(sub);
            return;
        }
        if (sub != null) {
            end(sub, new SwitchboardException(e.code() == null ? "unsubscribed" : e.code(),
                    e.message() == null ? "the server ended the subscription" : e.message(), false));
        }
    }

    /**
     * The server subscribed this client to a channel ({@code subscribed} push). A channel without a subscription
     * here gets one, with the listener the builder's {@code onServerSubscription} gives; one that is followed
     * already (its own, or the server's after a reconnect) recovers like the client's own: a push position ahead
     * of the last one delivered, in the same epoch, is a gap read with {@code history} and delivered before the
     * live messages, which are held back meanwhile.
     */
    void onServerSubscribed(Envelope e) {
        String ch = e.channel();
        if (ch == null || ChannelNames.problem(ch) != null) {
            return;
        }
        Sub sub = byChannel.get(ch);
        if (sub == null) {
            SubscriptionListener l = serverListeners.apply(ch);
            sub = new Sub(ch, l == null ? new SubscriptionListener() {
                @Override
                public void onMessage(Message message) {
                }
            } : l);
            sub.server = true;
            Sub raced = byChannel.putIfAbsent(ch, sub);
            if (raced != null) {
                sub = raced;
            }
        }
        if (!sub.active) {
            return;
        }
        sub.subscribed = true;
        sub.tries = 0;
        String epoch = null;
        long offset = -1;
        if (e.payload() != null) {
            try {
                JsonTree.Node n = JsonTree.parse(e.payload());
                epoch = n.string("epoch");
                offset = n.longValue("offset", -1);
            } catch (IllegalArgumentException unreadable) {
                epoch = null;
            }
        }
        StreamPosition last = sub.position;
        if (epoch == null || offset < 0) {
            serverSubscribed(sub, null, -1, false);
        } else if (last != null && last.epoch().equals(epoch) && offset > last.offset()) {
            readGap(sub, last, epoch, offset);
        } else {
            if (last == null || !last.epoch().equals(epoch) || offset > last.offset()) {
                sub.position = new StreamPosition(epoch, offset);
            }
            serverSubscribed(sub, epoch, offset, false);
        }
    }

    private void readGap(Sub sub, StreamPosition last, String epoch, long offset) {
        long gap = offset - last.offset();
        sub.held = new java.util.ArrayList<>();
        Envelope.Builder b = Envelope.builder(MessageType.HISTORY).channel(sub.channel).since(last).limit((int) Math.min(gap, 1000));
        commands.issue(MessageType.HISTORY, b, (reply, error, sentAt) -> {
            boolean whole = false;
            if (error == null && reply != null && reply.payload() != null) {
                try {
                    JsonTree.Node n = JsonTree.parse(reply.payload());
                    JsonTree.Node pubs = n.get("publications");
                    if (pubs != null) {
                        for (JsonTree.Node p : pubs.items()) {
                            long o = p.longValue("offset", -1);
                            if (o > offset) {
                                continue; // live from the push on: held, or still coming
                            }
                            JsonTree.Node payload = p.get("payload");
                            Envelope.Builder m = Envelope.builder(MessageType.MESSAGE).channel(sub.channel).epoch(epoch).offset(o)
                                    .from(p.string("from")).ts(p.longValue("ts", 0));
                            if (payload != null) {
                                m.payload(payload.raw());
                            }
                            deliver(sub, m.build());
                        }
                    }
                    whole = gap <= 1000;
                } catch (IllegalArgumentException unreadable) {
                    whole = false;
                }
            } else if (error != null) {
                SwitchboardException why = error;
                callbacks.event(() -> sub.listener.onError(why));
            }
            StreamPosition now = sub.position;
            if (now == null || now.offset() < offset) {
                sub.position = new StreamPosition(epoch, offset); // what could not be read is skipped
            }
            java.util.List<Envelope> held = sub.held;
            sub.held = null;
            for (Envelope h : held) {
                deliver(sub, h);
            }
            serverSubscribed(sub, epoch, offset, whole);
        });
    }

    private void serverSubscribed(Sub sub, String epoch, long offset, boolean recovered) {
        SubscribeResult result = new SubscribeResult(epoch, offset, recovered, null, sub.everSubscribed);
        sub.everSubscribed = true;
        callbacks.event(() -> {
            if (sub.active) {
                sub.listener.onSubscribed(result);
            }
        });
    }

    // ---- subscribe and its answer (loop) ----------------------------------------------------------

    private void send(Sub sub) {
        if (!sub.active || byChannel.get(sub.channel) != sub || sub.inFlight || sub.subscribed) {
            return; // e.g. subscribe() raced with the welcome, which already sent this one
        }
        sub.cancelRetry();
        StreamPosition since = sub.noRecovery ? null : sub.position;
        Envelope.Builder b = Envelope.builder(MessageType.SUBSCRIBE).channel(sub.channel).since(since);
        sub.inFlight = true;
        commands.issue(MessageType.SUBSCRIBE, b, (reply, error, sentAt) -> {
            sub.inFlight = false;
            if (error == null) {
                subscribed(sub, reply);
            } else {
                failed(sub, since, error);
            }
        });
    }

    private void subscribed(Sub sub, Envelope ack) {
        if (!sub.active) {
            return;
        }
        String epoch = null;
        long offset = -1;
        boolean recovered = false;
        String reason = null;
        JsonTree.Node n = null;
        if (ack != null && ack.payload() != null) {
            try {
                n = JsonTree.parse(ack.payload());
            } catch (IllegalArgumentException unreadable) {
                n = null; // treat as an ack without a position
            }
        }
        if (n != null) {
            epoch = n.string("epoch");
            offset = n.longValue("offset", -1);
            recovered = Boolean.TRUE.equals(n.bool("recovered"));
            reason = n.string("reason");
        }
        if (epoch != null && offset >= 0 && !recovered) {
            // Not replaying: what comes next is live, after this position. Starting from here means the
            // next reconnect can recover even if no message arrived on this connection.
            sub.position = new StreamPosition(epoch, offset);
        }
        sub.subscribed = true;
        sub.tries = 0;
        SubscribeResult result = new SubscribeResult(epoch, offset, recovered, reason, sub.everSubscribed);
        sub.everSubscribed = true;
        callbacks.event(() -> {
            if (sub.active) {
                sub.listener.onSubscribed(result);
            }
        });
    }

    private void failed(Sub sub, StreamPosition since, SwitchboardException error) {
        if (!sub.active || byChannel.get(sub.channel) != sub) {
            return;
        }
        String code = error.code();
        if (code.equals(SwitchboardException.DISCONNECTED) || code.equals(SwitchboardException.CLOSED)) {
            return; // subscribed again on the next welcome, or the client is stopping
        }
        if (code.equals("not_subscribed")) {
            // The server ended the subscription while this subscribe was under way (unsubscribed/unavailable
            // from a cluster node); the user still wants it: subscribe again.
            send(sub);
            return;
        }
        if (code.equals("already_subscribed")) {
            subscribed(sub, null); // e.g. a retry after a timeout whose first try did arrive
            return;
        }
        if (code.equals("unrecoverable") && since != null) {
            sub.position = null; // the gap cannot be filled: start from now, and say so
            send(sub);
            return;
        }
        if (code.equals("forbidden") && since != null) {
            // The namespace lets this user subscribe but not read history: subscribe without recovery from
            // now on (the ack then says recovered=false) rather than lose the subscription.
            sub.noRecovery = true;
            send(sub);
            return;
        }
        callbacks.event(() -> sub.listener.onError(error));
        if (error.retryable()) {
            long delay = backoff.delayMillis(sub.tries++, random);
            sub.retry = clock.schedule(() -> loop.execute(() -> {
                sub.retry = null;
                if (commands.isConnected()) {
                    send(sub);
                }
            }), TimeUnit.MILLISECONDS.toNanos(delay));
            return;
        }
        end(sub, error);
    }

    private void end(Sub sub, SwitchboardException why) {
        if (!sub.ended.compareAndSet(false, true)) {
            return;
        }
        sub.active = false;
        sub.subscribed = false;
        sub.cancelRetry();
        byChannel.remove(sub.channel, sub);
        callbacks.complete(sub.unsubscribed, null);
        // Runs even though the subscription is no longer active: this is its last word.
        callbacks.event(() -> sub.listener.onUnsubscribed(why));
    }

    /** The user's unsubscribe, on the loop. */
    private void unsubscribe(Sub sub) {
        sub.cancelRetry();
        boolean serverKnows = sub.subscribed || sub.inFlight;
        sub.subscribed = false;
        if (!serverKnows || !commands.isConnected()) {
            callbacks.complete(sub.unsubscribed, null); // the server forgets subscriptions with the connection
            return;
        }
        commands.issue(MessageType.UNSUBSCRIBE, Envelope.builder(MessageType.UNSUBSCRIBE).channel(sub.channel),
                (reply, error, sentAt) -> callbacks.complete(sub.unsubscribed, null));
    }

    /** One channel's subscription. Mutable fields are loop-confined unless volatile. */
    private final class Sub implements Subscription {
        final String channel;
        final SubscriptionListener listener;
        final CompletableFuture<Void> unsubscribed = new CompletableFuture<>();
        final AtomicBoolean ended = new AtomicBoolean();
        // False from the moment unsubscribe() is called or the subscription ends; read by callbacks.
        volatile boolean active = true;
        // The current connection's subscribe was acknowledged; written on the loop.
        volatile boolean subscribed;
        // Last delivered (or acknowledged) position; written on the loop, read by anyone.
        volatile StreamPosition position;
        boolean inFlight;
        boolean noRecovery; // the server refused `since` for this user: resubscribe without it
        boolean server; // made by the server (a `subscribed` push), not by subscribe()
        java.util.List<Envelope> held; // live messages held back while a history read fills a gap; loop only
        boolean everSubscribed;
        int tries;
        Scheduler.Cancellable retry;

        Sub(String channel, SubscriptionListener listener) {
            this.channel = channel;
            this.listener = listener;
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public boolean isActive() {
            return active;
        }

        @Override
        public boolean isSubscribed() {
            return active && subscribed;
        }

        @Override
        public StreamPosition position() {
            return position;
        }

        @Override
        public boolean isServer() {
            return server;
        }

        @Override
        public CompletableFuture<Void> unsubscribe() {
            if (ended.compareAndSet(false, true)) {
                active = false;
                byChannel.remove(channel, this);
                loop.execute(() -> Subscriptions.this.unsubscribe(this));
            }
            return unsubscribed.copy();
        }

        void cancelRetry() {
            if (retry != null) {
                retry.cancel();
                retry = null;
            }
        }

        @Override
        public String toString() {
            return "Subscription[" + channel + (active ? "" : ", ended") + (position == null ? "" : " @" + position) + "]";
        }
    }
}
