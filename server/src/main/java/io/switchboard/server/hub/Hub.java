package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.engine.Broker;
import io.switchboard.server.engine.Streams;
import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.util.Json;
import io.switchboard.server.util.SlotArray;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's subscriptions: channel to local subscribers. It tells the engine when a channel gains its
 * first or loses its last local subscriber, and turns each publication (and presence change) the engine
 * delivers into one {@link Push}: encoded once per wire format present among the channel's subscribers,
 * WebSocket frame header included, and shared by every local subscriber of that format. It is handed to the
 * subscribers of each event loop by one task on that loop ({@link Subscriber#executor}), not one per
 * subscriber.
 */
public final class Hub implements PublicationSink {

    private final Broker broker;
    private final Streams streams;
    private final ByteBufAllocator alloc;
    private final Namespaces namespaces;
    private final Metrics metrics;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Hub.class);
    /** From this many subscribers on one loop, the loop encodes a push for itself (Push.forOneLoop): one encode against their shared counts. */
    private static final int OWN_COPY_FROM = 32;
    /**
     * A group of fewer subscribers on the publishing loop is served in line; a larger one is a task on that loop
     * too, so that it may send at once (FanOut.run), which a share run in line may not.
     */
    private static final int IN_LINE_BELOW = 32;
    private volatile java.util.function.Consumer<byte[]> controlHandler;
    private volatile Runnable reconnectHandler;
    // channel -> its local subscribers; an entry exists exactly while it has at least one subscriber.
    // Entries are created and removed only inside compute() so engine (un)subscribe calls stay paired.
    private final ConcurrentHashMap<String, ChannelSubscribers> channels = new ConcurrentHashMap<>();
    private final PresenceWindows presenceWindows;

    /**
     * @param broker          delivers subscribed channels to this hub
     * @param streams         takes publications
     * @param presenceTimer   runs the presence windows' pushes (one thread keeps a channel's pushes in order)
     * @param maxPushPayload  the largest payload a push may carry (a longer presence diff is split)
     */
    public Hub(Broker broker, Streams streams, ByteBufAllocator alloc, Namespaces namespaces, Metrics metrics,
               java.util.concurrent.ScheduledExecutorService presenceTimer, int maxPushPayload) {
        this.broker = broker;
        this.streams = streams;
        this.alloc = alloc;
        this.namespaces = namespaces;
        this.metrics = metrics;
        this.presenceWindows = new PresenceWindows(presenceTimer, this::pushPresence, maxPushPayload);
    }

    /**
     * Adds a local subscriber; the future completes when the engine delivers the channel to this node. A
     * subscriber is added once (each subscription is an object of its own) and taken out by {@link #unsubscribe}.
     */
    public CompletableFuture<Void> subscribe(String channel, Subscriber subscriber) {
        ChannelSubscribers cs = channels.compute(channel, (name, existing) -> {
            ChannelSubscribers c = existing;
            if (c == null) {
                c = new ChannelSubscribers(name, broker.subscribe(name));
            }
            c.add(subscriber);
            return c;
        });
        return cs.live;
    }

    /**
     * {@code channel} as this hub already holds it when the channel has local subscribers, else
     * {@code channel} itself: a subscription can keep the one shared copy of the name instead of its own.
     */
    public String sharedName(String channel) {
        ChannelSubscribers c = channels.get(channel);
        return c == null ? channel : c.name;
    }

    public void unsubscribe(String channel, Subscriber subscriber) {
        channels.computeIfPresent(channel, (name, c) -> {
            c.remove(subscriber);
            if (c.size() == 0) {
                broker.unsubscribe(name);
                return null;
            }
            return c;
        });
    }

    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        return streams.publish(request);
    }

    public int subscriberCount(String channel) {
        ChannelSubscribers c = channels.get(channel);
        return c == null ? 0 : c.size();
    }

    /** Channels with at least one local subscriber. */
    public int channelCount() {
        return channels.size();
    }

    /** Every channel with local subscribers whose name starts with {@code prefix}, with its subscriber count. */
    public java.util.SortedMap<String, Integer> channels(String prefix) {
        java.util.SortedMap<String, Integer> out = new java.util.TreeMap<>();
        channels.forEach((name, c) -> {
            if (name.startsWith(prefix)) {
                int n = c.size();
                if (n > 0) {
                    out.put(name, n);
                }
            }
        });
        return out;
    }

    @Override
    public void onPublication(Publication p) {
        ChannelSubscribers c = channels.get(p.channel());
        if (c == null) {
            return;
        }
        metrics.brokerLag(System.currentTimeMillis() - p.timestamp());
        Push push = new Push(alloc, messageEnvelope(p), p.payload().length);
        fanOut(c, push, p.offset(), p.hasPosition() ? p.epoch() : null, p.clientId(), MessageType.MESSAGE, n -> {
            if (n > 0) {
                // Ingress to the hand-over to the last local subscriber; a publication that entered through
                // another node has only the engine's millisecond timestamp to go by.
                long nanos = p.ingressNanos() != 0 ? System.nanoTime() - p.ingressNanos()
                        : (System.currentTimeMillis() - p.timestamp()) * 1_000_000L;
                metrics.delivered(nanos);
            }
        });
    }

    /** Where control messages from the engine go (the node applies them to its sessions). */
    public void onControl(java.util.function.Consumer<byte[]> handler) {
        this.controlHandler = handler;
    }

    @Override
    public void onControl(byte[] message) {
        java.util.function.Consumer<byte[]> h = controlHandler;
        if (h != null) {
            h.accept(message);
        }
    }

    /**
     * A presence change: gathered into the channel's window (namespaces with a {@code presence-window}), or
     * pushed at once as a {@code presenceUpdate} (a window of zero, the first v1 behaviour).
     */
    @Override
    public void onPresenceUpdate(PresenceUpdate u) {
        ChannelSubscribers c = channels.get(u.channel());
        NamespaceConfig ns = namespaces.forChannel(u.channel());
        if (c == null || ns == null || !ns.joinLeave()) {
            return;
        }
        if (ns.coalescesPresence()) {
            presenceWindows.add(u, ns);
            return;
        }
        byte[] payload = Json.object(g -> {
            g.writeStringField("userId", u.userId());
            g.writeStringField("status", u.online() ? "online" : "offline");
            g.writeNumberField("timestamp", u.timestamp());
        });
        Envelope e = Envelope.builder(MessageType.PRESENCE_UPDATE).channel(u.channel()).payload(payload).build();
        fanOut(c, new Push(alloc, e, payload.length), -1, null, null, MessageType.PRESENCE_UPDATE, null);
    }

    /** A window's presence push: encoded once, shared by the channel's local subscribers. */
    private void pushPresence(String channel, MessageType type, byte[] payload) {
        ChannelSubscribers c = channels.get(channel);
        if (c != null) {
            Envelope e = Envelope.builder(type).channel(channel).payload(payload).build();
            fanOut(c, new Push(alloc, e, payload.length), -1, null, null, type, null);
        }
    }

    /** What to run when the engine's connection comes back (the node renews its presence entries). */
    public void onReconnected(Runnable handler) {
        this.reconnectHandler = handler;
    }

    @Override
    public void onReconnected() {
        Runnable h = reconnectHandler;
        if (h != null) {
            h.run();
        }
    }

    /** The engine lost publications of a channel: every local subscriber is told (issue 7). */
    @Override
    public void onGap(String channel) {
        metrics.deliveryGap();
        ChannelSubscribers c = channels.get(channel);
        if (c != null) {
            for (Group g : c.groups) {
                // In line with the pushes: after those from before the loss, before any after it.
                if (g.loop == null || (g.loop.inEventLoop() && g.queued.get() == 0)) {
                    g.members.forEach(Subscriber::interrupted);
                } else {
                    g.queued.incrementAndGet();
                    g.loop.execute(() -> {
                        try {
                            g.members.forEach(Subscriber::interrupted);
                        } finally {
                            g.queued.decrementAndGet();
                        }
                    });
                }
            }
        }
    }

    /**
     * Hands one push to every member, in the member's wire format: one task per event loop carrying that
     * loop's members (members without an executor, and those of the loop this runs on when none of their
     * tasks is waiting, are served here and now). The push is released, and the
     * counts recorded, after the last member; {@code delivered}, when not null, is run then with how many got it.
     */
    private void fanOut(ChannelSubscribers c, Push push, long offset, String epoch, String clientId, MessageType type,
                        java.util.function.IntConsumer delivered) {
        new FanOut(c.groups, push, offset, epoch, clientId, type, delivered).start();
    }

    /** One push on its way to a channel's members: counts what each event loop's share delivered, ends once. */
    private final class FanOut {
        private final Group[] groups;
        private final Push push;
        private final long offset;
        private final String epoch;
        private final String clientId;
        private final MessageType type;
        private final java.util.function.IntConsumer delivered;
        private final java.util.concurrent.atomic.AtomicInteger unfinished;
        private final java.util.concurrent.atomic.AtomicInteger deliveries = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger countedDeliveries = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicLong byteCount = new java.util.concurrent.atomic.AtomicLong();

        FanOut(Group[] groups, Push push, long offset, String epoch, String clientId, MessageType type,
               java.util.function.IntConsumer delivered) {
            this.groups = groups;
            this.push = push;
            this.offset = offset;
            this.epoch = epoch;
            this.clientId = clientId;
            this.type = type;
            this.delivered = delivered;
            this.unfinished = new java.util.concurrent.atomic.AtomicInteger(groups.length + 1);
        }

        void start() {
            for (Group g : groups) {
                if (g.loop == null || (g.loop.inEventLoop() && g.queued.get() == 0 && g.members.size() < IN_LINE_BELOW)) {
                    // Here and now: on the group's own loop with none of its tasks waiting, nothing can go first. Only a
                    // small group: a large one is a task even on its own loop, so that it may send at once (below).
                    run(g, false);
                } else {
                    g.queued.incrementAndGet();
                    g.loop.execute(() -> {
                        try {
                            run(g, true);
                        } finally {
                            g.queued.decrementAndGet();
                        }
                    });
                }
            }
            finished(0, 0, 0);
        }

        private void run(Group g, boolean asTask) {
            int n = 0;
            int counted = 0;
            long bytes = 0;
            // A loop with many subscribers encodes the push for itself (see Push.forOneLoop).
            Push p = g.loop != null && groups.length > 1 && g.members.size() >= OWN_COPY_FROM ? push.forOneLoop() : push;
            // Nothing waits for this loop (this share, a task of its own, is the channel's last queued there, and
            // no other task is queued): its subscribers may send it at once. A loop with tasks waiting is behind:
            // its subscribers queue the push, and what the loop queues for a connection in this iteration leaves
            // together. The connections' flush after this iteration's tasks (LoopFlush) does not count as waiting: a
            // connection it will flush has something queued and queues this push behind it. A share run in line (a
            // small group on the publisher's loop) does not send at once: the engine may be holding a lock around
            // this call (the memory engine's stripe).
            boolean now = asTask && g.queued.get() <= 1
                    && g.loop instanceof io.netty.util.concurrent.SingleThreadEventExecutor e
                    && e.pendingTasks() == io.switchboard.server.util.LoopFlush.waitingOnThisLoop();
            try {
                Object[] members = g.members.slots();
                for (int i = 0; i < members.length; i++) {
                    Subscriber s = SlotArray.at(members, i);
                    if (s == null) {
                        continue;
                    }
                    try {
                        if (now ? s.deliverNow(p, offset, epoch, clientId) : s.deliver(p, offset, epoch, clientId)) {
                            n++;
                            int b = s.deliveredBytes(p);
                            if (b != Subscriber.COUNTED_ELSEWHERE) {
                                counted++;
                                bytes += b;
                            }
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("a subscriber failed to take a push; the others still get it", e);
                    }
                }
            } finally {
                if (p != push) {
                    p.release();
                }
                finished(n, counted, bytes);
            }
        }

        /** {@code n} deliveries of a share, {@code counted} of them ({@code bytes} in all) for the native counters. */
        private void finished(int n, int counted, long bytes) {
            if (n > 0) {
                deliveries.addAndGet(n);
            }
            if (counted > 0) {
                countedDeliveries.addAndGet(counted);
                byteCount.addAndGet(bytes);
            }
            if (unfinished.decrementAndGet() == 0) { // every share's counts were added before its decrement
                push.release();
                int total = deliveries.get();
                metrics.messagesOut(type, countedDeliveries.get(), byteCount.get());
                if (delivered != null) {
                    delivered.accept(total);
                }
            }
        }
    }

    /** The {@code message} push for a publication (used live here, and by sessions for recovered ones). */
    public static Envelope messageEnvelope(Publication p) {
        Envelope.Builder b = Envelope.builder(MessageType.MESSAGE)
                .channel(p.channel())
                .ts(p.timestamp())
                .from(p.from())
                .payload(p.payload());
        if (p.hasPosition()) {
            b.offset(p.offset()).epoch(p.epoch());
        }
        return b.build();
    }

    /** Encodes one envelope as JSON into a pooled buffer. */
    public static ByteBuf encode(ByteBufAllocator alloc, Envelope e, int sizeHint) {
        return encode(alloc, WireFormat.JSON, e, sizeHint);
    }

    /** Encodes one envelope in {@code format} (as one element of a batch) into a pooled buffer. */
    public static ByteBuf encode(ByteBufAllocator alloc, WireFormat format, Envelope e, int sizeHint) {
        ByteBuf buf = alloc.buffer(sizeHint + 128);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            format.write(e, out);
        } catch (IOException ex) {
            buf.release();
            throw new UncheckedIOException(ex);
        }
        return buf;
    }

    /** Where a subscriber keeps its place among its group's members ({@link Subscriber#memberSlot}). */
    private static final SlotArray.Slot<Subscriber> MEMBER_SLOT = SlotArray.Slot.of(Subscriber::memberSlot, Subscriber::memberSlot);

    /**
     * The members of one channel served on one event loop (or, loop null, on the delivering thread), in the
     * order they came; written inside the channel's {@code compute} only, walked without a lock.
     */
    private static final class Group {
        final io.netty.util.concurrent.EventExecutor loop;
        final SlotArray<Subscriber> members = new SlotArray<>(MEMBER_SLOT);
        // Tasks for this group queued on its loop and not finished: while any is, a push is queued behind it
        // even on the loop itself, so that the group sees the channel's pushes in order.
        final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();

        Group(io.netty.util.concurrent.EventExecutor loop) {
            this.loop = loop;
        }
    }

    /** A channel's local members by event loop; changed only inside {@code channels.compute}, read anywhere. */
    private static final class ChannelSubscribers {
        // Groups are added, never removed while the channel has members: there are as many as event loops.
        volatile Group[] groups = new Group[0];
        final String name; // the map's key: one copy of the name for every local subscription
        private volatile int size;
        final CompletableFuture<Void> live;

        void add(Subscriber s) {
            io.netty.util.concurrent.EventExecutor loop = s.executor();
            Group[] gs = groups;
            for (Group g : gs) {
                if (g.loop == loop) {
                    g.members.add(s);
                    size++;
                    return;
                }
            }
            Group g = new Group(loop);
            g.members.add(s);
            size++;
            Group[] more = java.util.Arrays.copyOf(gs, gs.length + 1);
            more[gs.length] = g;
            groups = more;
        }

        void remove(Subscriber s) {
            io.netty.util.concurrent.EventExecutor loop = s.executor();
            for (Group g : groups) {
                if (g.loop == loop && g.members.remove(s)) {
                    size--;
                    return;
                }
            }
        }

        int size() {
            return size;
        }

        ChannelSubscribers(String name, CompletableFuture<Void> live) {
            this.name = name;
            this.live = live;
        }
    }
}
