package io.switchboard.server.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.hub.Push;
import io.switchboard.server.hub.Subscriber;
import io.switchboard.server.util.ServerFrames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One Pusher connection's subscription to one channel, as the hub sees it. It turns the node's frames into
 * Pusher events: a {@code message} whose payload is a Pusher event ({@code {"event", "data", "user_id"?}})
 * becomes that event on the app's channel name; a {@code presenceUpdate} becomes
 * {@code pusher_internal:member_added} (with the member's {@code user_info}, read from presence) or
 * {@code member_removed}. It skips publications its own connection made (client events are not echoed,
 * and the HTTP API's {@code socket_id} excludes a connection the same way) and updates about its own user.
 * A publication is transcoded once per channel on the node, into a complete WebSocket frame that every Pusher
 * subscriber of the channel writes as it is ({@code Push.derivedFrame}), not once per subscriber.
 *
 * <p>Until {@link #goLive} (after {@code subscription_succeeded} was queued) events are held back, so the
 * client sees the member list before any change to it. Events keep the channel's order, also while a
 * member's info is being read: later ones wait for it.
 */
final class PusherSubscription implements Subscriber {

    final String name;         // the app's channel name
    final String internal;     // the node's channel
    final PusherChannels.Kind kind;
    final String userId;       // presence: this connection's user in the channel; otherwise null
    private final String socketId;
    private final PusherOutbound outbound;
    private final Function<String, CompletableFuture<byte[]>> memberInfo;

    private record Held(byte[] event, long offset) {
    }

    // Guarded by this.
    private List<Held> held = new ArrayList<>();
    private boolean ended;
    private int memberSlot = -1; // the hub's (Subscriber.memberSlot)
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    PusherSubscription(String name, String internal, PusherChannels.Kind kind, String userId, String socketId,
                       PusherOutbound outbound, Function<String, CompletableFuture<byte[]>> memberInfo) {
        this.name = name;
        this.internal = internal;
        this.kind = kind;
        this.userId = userId;
        this.socketId = socketId;
        this.outbound = outbound;
        this.memberInfo = memberInfo;
    }

    /** The connection's event loop: the hub hands this subscription its pushes there. */
    @Override
    public io.netty.util.concurrent.EventExecutor executor() {
        return outbound.loop();
    }

    @Override
    public boolean deliver(Push push, long offset, String epoch, String clientId) {
        return push.type() == MessageType.MESSAGE ? message(push, offset, clientId, false)
                : Subscriber.super.deliver(push, offset, epoch, clientId);
    }

    @Override
    public boolean deliverNow(Push push, long offset, String epoch, String clientId) {
        return push.type() == MessageType.MESSAGE ? message(push, offset, clientId, true)
                : Subscriber.super.deliver(push, offset, epoch, clientId);
    }

    /**
     * A publication: the channel's event frame, made by the first Pusher subscriber of the channel to get the push
     * and written as it is by all of them; at once ({@code now}: the hub's task with nothing else waiting on this
     * loop) when nothing is queued for the connection. While events are held back or wait for a member's info,
     * it waits with them, as bytes.
     */
    private boolean message(Push push, long offset, String clientId, boolean now) {
        if (clientId != null && clientId.equals(socketId)) {
            return false;
        }
        ByteBuf frame = push.derivedFrame(name, this::eventFrame); // keyed by the app's channel name, in the event
        if (frame == null) {
            return false;
        }
        synchronized (this) {
            if (ended) {
                return false;
            }
            if (held != null || !tail.isDone()) {
                int n = PusherOutbound.payloadBytes(frame); // the event, after the frame's header
                byte[] event = io.netty.buffer.ByteBufUtil.getBytes(frame, frame.writerIndex() - n, n);
                if (held != null) {
                    held.add(new Held(event, offset));
                } else {
                    tail = tail.thenRun(() -> emitNow(event, offset));
                }
                return true;
            }
            if (now) {
                outbound.deliverNow(frame);
            } else {
                outbound.deliver(frame.retainedDuplicate());
            }
            return true;
        }
    }

    /**
     * The Pusher event of a publication's envelope, as a whole text frame. A payload that is not JSON (the
     * envelope carries it as {@code payloadBase64}) has no event in it: it arrives as event {@code message}
     * without data, as it always did.
     */
    private ByteBuf eventFrame(Envelope envelope) {
        byte[] payload = envelope.payload();
        JsonNode root = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        if (payload != null && io.switchboard.protocol.JsonPayloads.isJson(payload)) {
            try {
                root = PusherFrames.mapper().readTree(payload);
            } catch (IOException e) {
                return null; // not after isJson; kept so that a parser's refusal drops the push, never the loop
            }
        }
        ByteBuf event = io.netty.buffer.Unpooled.wrappedBuffer(transcode(root));
        try {
            return ServerFrames.copied(outbound.alloc(), ServerFrames.TEXT, 0, event);
        } finally {
            event.release();
        }
    }

    /** None for the hub's native counters: {@link PusherOutbound} counts every event it writes under the Pusher protocol. */
    @Override
    public int deliveredBytes(Push push) {
        return COUNTED_ELSEWHERE;
    }

    /** What is not a publication (a presence update): the envelope, read here. */
    @Override
    public boolean deliver(ByteBuf frame, long offset, String epoch, String clientId) {
        JsonNode root;
        try {
            if (clientId != null && clientId.equals(socketId)) {
                return false;
            }
            root = PusherFrames.mapper().readTree(io.netty.buffer.ByteBufUtil.getBytes(frame));
        } catch (IOException e) {
            return false;
        } finally {
            frame.release();
        }
        String type = root.path("type").asText();
        JsonNode payload = root.path("payload");
        if (type.equals("message")) {
            return emit(transcode(payload), offset);
        }
        if (type.equals("presenceUpdate") && kind == PusherChannels.Kind.PRESENCE) {
            String user = payload.path("userId").asText();
            if (user.equals(userId)) {
                return false; // Pusher tells a connection nothing about its own user
            }
            if (payload.path("status").asText().equals("offline")) {
                return emit(PusherFrames.event("pusher_internal:member_removed", name, g -> g.writeStringField("user_id", user)), -1);
            }
            synchronized (this) {
                if (ended) {
                    return false;
                }
                tail = tail.thenCompose(v -> memberInfo.apply(user).exceptionally(t -> null))
                        .thenAccept(info -> emitNow(memberAdded(user, info), -1));
            }
            return true;
        }
        return false;
    }

    private byte[] memberAdded(String user, byte[] info) {
        return PusherFrames.event("pusher_internal:member_added", name, g -> {
            g.writeStringField("user_id", user);
            if (info != null) {
                PusherFrames.rawField(g, "user_info", info);
            }
        });
    }

    /** A publication's payload (e.g. a cache channel's last event) as the Pusher event it carries; null if it is no JSON. */
    byte[] event(byte[] payload) {
        JsonNode root = PusherFrames.parse(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
        return root == null ? null : transcode(root);
    }

    /** A published payload as the Pusher event it carries; payloads that are no Pusher event arrive as event {@code message}. */
    private byte[] transcode(JsonNode payload) {
        JsonNode event = payload.get("event");
        if (event != null && event.isTextual()) {
            JsonNode data = payload.get("data");
            JsonNode user = payload.get("user_id");
            return io.switchboard.server.util.Json.object(g -> {
                g.writeStringField("event", event.textValue());
                g.writeStringField("channel", name);
                if (data != null && !data.isNull()) {
                    g.writeStringField("data", data.isTextual() ? data.textValue() : data.toString());
                }
                if (user != null && user.isTextual()) {
                    g.writeStringField("user_id", user.textValue());
                }
            });
        }
        return PusherFrames.event("message", name, payload.toString());
    }

    /** Passes an event on in order: after any event still waiting for a member's info. */
    private boolean emit(byte[] event, long offset) {
        synchronized (this) {
            if (ended) {
                return false;
            }
            if (!tail.isDone()) {
                tail = tail.thenRun(() -> emitNow(event, offset));
                return true;
            }
        }
        return emitNow(event, offset);
    }

    private synchronized boolean emitNow(byte[] event, long offset) {
        if (ended) {
            return false;
        }
        if (held != null) {
            held.add(new Held(event, offset));
        } else {
            outbound.deliver(event);
        }
        return true;
    }

    /** Passes on what was held and lets later events through; call after {@code subscription_succeeded} was queued. */
    void goLive() {
        goLive(null, -1);
    }

    /**
     * Passes on {@code first} (a cache channel's last event, or its cache miss; null: none), then what was
     * held except publications at or below {@code skipThrough} (already in {@code first}), and lets later
     * events through.
     */
    synchronized void goLive(byte[] first, long skipThrough) {
        if (held == null || ended) {
            return;
        }
        List<Held> events = held;
        held = null;
        if (first != null) {
            outbound.deliver(first);
        }
        for (Held h : events) {
            if (h.offset() < 0 || h.offset() > skipThrough) {
                outbound.deliver(h.event());
            }
        }
    }

    /** Ends the subscription: nothing delivered after this is passed on. */
    synchronized void cancel() {
        ended = true;
        held = null;
    }

    synchronized boolean ended() {
        return ended;
    }

    @Override
    public void interrupted() {
        cancel(); // live-only channels have no gaps to report; nothing more can be promised for this one
    }

    @Override
    public int memberSlot() {
        return memberSlot;
    }

    @Override
    public void memberSlot(int slot) {
        memberSlot = slot;
    }
}
