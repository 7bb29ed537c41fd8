package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;
import io.switchboard.server.hub.Subscriber;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's subscription to one channel, as the hub sees it. While the subscription is being set up
 * (its history read, for channels with history) live frames are held back; {@link #goLive} then passes
 * on those newer than what the client already has, in order, and from then on frames go straight to the
 * connection's outbound queue. This is what makes recovery gap-free and duplicate-free: the live
 * subscription starts before the history read, and the overlap is cut by offset.
 */
final class ChannelSubscription implements Subscriber {

    private record Held(ByteBuf frame, long offset) {
    }

    final String channel;
    /** True when a subscription token (not the connection's token) granted this subscription. */
    final boolean grantedByToken;
    private final Outbound outbound;
    private final String sessionId;
    private final boolean echo;
    private final int maxHeld;
    // Fast path: true once live; written under lock, read without it.
    private volatile boolean live;
    // Frames that arrived before going live; null once live or cancelled. Guarded by this.
    private List<Held> held;
    // Bytes in held; guarded by this.
    private long heldBytes;

    /** @param startLive false to hold frames back until {@link #goLive} */
    ChannelSubscription(String channel, Outbound outbound, String sessionId, boolean echo, boolean startLive, int maxHeld,
                        boolean grantedByToken) {
        this.channel = channel;
        this.grantedByToken = grantedByToken;
        this.outbound = outbound;
        this.sessionId = sessionId;
        this.echo = echo;
        this.maxHeld = maxHeld;
        this.live = startLive;
        this.held = startLive ? null : new ArrayList<>();
    }

    @Override
    public boolean deliver(ByteBuf frame, long offset, String clientId) {
        if (!echo && clientId != null && clientId.equals(sessionId)) {
            frame.release();
            return false;
        }
        if (!live) {
            synchronized (this) {
                if (held != null) {
                    heldBytes += frame.readableBytes();
                    if (held.size() >= maxHeld || heldBytes > outbound.maxPendingBytes()) {
                        // The channel is moving faster than the history read: treat as a slow consumer.
                        frame.release();
                        outbound.overflow();
                        return false;
                    }
                    held.add(new Held(frame, offset));
                    return true;
                }
            }
        }
        outbound.deliver(frame);
        return true;
    }

    /**
     * Passes on the held frames whose offset is above {@code after} (and every frame without an offset),
     * then lets frames through directly. Must be called after the ack and any recovered messages were
     * queued, so that the client sees them in that order.
     */
    void goLive(long after) {
        synchronized (this) {
            if (held == null) {
                return;
            }
            for (Held h : held) {
                if (h.offset() < 0 || h.offset() > after) {
                    outbound.deliver(h.frame());
                } else {
                    h.frame().release();
                }
            }
            held = null;
            live = true;
        }
    }

    // What the session does when the engine lost publications for this subscription; set once, before it is live.
    private volatile Runnable onInterrupted;

    void onInterrupted(Runnable r) {
        onInterrupted = r;
    }

    @Override
    public void interrupted() {
        Runnable r = onInterrupted;
        if (r != null) {
            r.run();
        }
    }

    /** Drops anything held; the subscription is over. */
    void cancel() {
        synchronized (this) {
            if (held != null) {
                held.forEach(h -> h.frame().release());
                held = null;
            }
            live = true; // later frames (there should be none) go to the closed outbound, which drops them
        }
    }
}
