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
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's subscriptions: channel to local subscribers. It tells the engine when a channel gains its
 * first or loses its last local subscriber, and turns each publication (and presence change) the engine
 * delivers into one encoded frame per wire format present among the channel's subscribers ({@link Frames}),
 * whose bytes are shared (retained duplicates) by every local subscriber of that format.
 */
public final class Hub implements PublicationSink {

    private final Broker broker;
    private final Streams streams;
    private final ByteBufAllocator alloc;
    private final Namespaces namespaces;
    private final Metrics metrics;
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

    /** Adds a local subscriber; the future completes when the engine delivers the channel to this node. */
    public CompletableFuture<Void> subscribe(String channel, Subscriber subscriber) {
        ChannelSubscribers cs = channels.compute(channel, (name, existing) -> {
            ChannelSubscribers c = existing;
            if (c == null) {
                c = new ChannelSubscribers(broker.subscribe(name));
            }
            c.members.add(subscriber);
            return c;
        });
        return cs.live;
    }

    public void unsubscribe(String channel, Subscriber subscriber) {
        channels.computeIfPresent(channel, (name, c) -> {
            c.members.remove(subscriber);
            if (c.members.isEmpty()) {
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
        return c == null ? 0 : c.members.size();
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
                int n = c.members.size();
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
        Frames frames = new Frames(alloc, messageEnvelope(p), p.payload().length);
        int n = fanOut(c, frames, p.offset(), p.hasPosition() ? p.epoch() : null, p.clientId(), MessageType.MESSAGE);
        if (n > 0) {
            // Ingress to the hand-over to the last local subscriber; a publication that entered through
            // another node has only the engine's millisecond timestamp to go by.
            long nanos = p.ingressNanos() != 0 ? System.nanoTime() - p.ingressNanos()
                    : (System.currentTimeMillis() - p.timestamp()) * 1_000_000L;
            metrics.delivered(nanos);
        }
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
        fanOut(c, new Frames(alloc, e, payload.length), -1, null, null, MessageType.PRESENCE_UPDATE);
    }

    /** A window's presence push: encoded once, shared by the channel's local subscribers. */
    private void pushPresence(String channel, MessageType type, byte[] payload) {
        ChannelSubscribers c = channels.get(channel);
        if (c != null) {
            Envelope e = Envelope.builder(type).channel(channel).payload(payload).build();
            fanOut(c, new Frames(alloc, e, payload.length), -1, null, null, type);
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
            c.members.forEach(Subscriber::interrupted);
        }
    }

    /** Hands one push to every member, in the member's wire format; returns how many got it. */
    private int fanOut(ChannelSubscribers c, Frames frames, long offset, String epoch, String clientId, MessageType type) {
        int n = 0;
        long bytes = 0;
        // Subscribers may derive one variant of each format's frame, once per push (permessage-deflate).
        SharedFrame shared = SharedFrame.open();
        try {
            for (Subscriber s : c.members) {
                ByteBuf frame = frames.frame(s.format());
                shared.use(frame);
                int size = frame.readableBytes();
                if (s.deliver(frame.retainedDuplicate(), offset, epoch, clientId)) {
                    n++;
                    bytes += size;
                }
            }
        } finally {
            shared.close();
            frames.release();
            metrics.messagesOut(type, n, bytes);
        }
        return n;
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

    private static final class ChannelSubscribers {
        final Set<Subscriber> members = ConcurrentHashMap.newKeySet();
        final CompletableFuture<Void> live;

        ChannelSubscribers(CompletableFuture<Void> live) {
            this.live = live;
        }
    }
}
