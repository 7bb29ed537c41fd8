package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;
import io.switchboard.server.hub.Push;
import io.switchboard.server.hub.Subscriber;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's subscription to one channel, as the hub sees it. While the subscription is being set up
 * (its history read, for channels with history) live frames are held back; {@link #goLive} then passes
 * on those newer than what the client already has, in order, and from then on frames go straight to the
 * connection's outbound queue.
 *
 * <p>The invariant it keeps (docs/guarantees.md): within one epoch, it never passes on an offset at or
 * below one it has already passed on or that the subscribe's ack named. The live subscription starts
 * before the history read, so nothing published in between is missed; the node's live feed may lag
 * behind the stream in a cluster, so frames the read already covered can still arrive after going live,
 * and every frame, held or live, is checked against the highest offset passed on.
 */
final class ChannelSubscription implements Subscriber {

    /**
     * Who is told when the engine lost publications for a subscription: the session's channel commands,
     * one object per connection, rather than a callback object per subscription.
     */
    interface Interruptions {
        /**
         * Called once, on the thread that delivers the channel, after {@code sub} has ended; {@code wasLive}
         * is true when it was live (the client must be told), false when it was still being set up (the
         * subscribe itself fails).
         */
        void interrupted(ChannelSubscription sub, boolean wasLive);
    }

    private record Held(ByteBuf frame, long offset, String epoch) {
    }

    /** The frames held back while the subscription is set up, and their bytes. */
    private static final class Holding {
        final List<Held> frames = new ArrayList<>();
        long bytes;
    }

    /** Most live frames held back while the subscription's history is read. */
    static final int MAX_HELD = 10_000;
    private static final int HOLDING = 0;
    private static final int LIVE = 1;
    private static final int ENDED = 2;

    final String channel;
    /** True when a subscription token (not the connection's token) granted this subscription. */
    final boolean grantedByToken;
    private final Outbound outbound;
    private final String noEchoFor; // the session's id when its own publications are not echoed to it, else null
    private int memberSlot = -1; // the hub's (Subscriber.memberSlot)
    // HOLDING, LIVE or ENDED; changed under the lock, read without it on the fast path.
    private volatile int state;
    // Frames that arrived before going live; non-null only while HOLDING (most subscriptions start live and
    // never need it: one object then rather than two fields in every subscription). Guarded by this.
    private Holding held;
    // The epoch and highest offset passed on (or named by the ack). Written by goLive under the lock
    // before state becomes LIVE, then only by the thread delivering the channel (one call at a time).
    private String epoch;
    private long passed = -1;
    // Told when the engine lost publications for this subscription; set once, before it is live.
    private volatile Interruptions onInterrupted;

    /**
     * @param noEchoFor the session's id when its own publications are not to reach it (the namespace's echo is
     *                  off), null when they are
     * @param startLive false to hold frames back until {@link #goLive}
     */
    ChannelSubscription(String channel, Outbound outbound, String noEchoFor, boolean startLive, boolean grantedByToken) {
        this.channel = channel;
        this.grantedByToken = grantedByToken;
        this.outbound = outbound;
        this.noEchoFor = noEchoFor;
        this.state = startLive ? LIVE : HOLDING;
        this.held = startLive ? null : new Holding();
    }

    /** The session's wire format: the hub hands this subscription its pushes encoded in it. */
    @Override
    public io.switchboard.protocol.WireFormat format() {
        return outbound.format();
    }

    /** The connection's event loop: the hub hands this subscription its pushes there. */
    @Override
    public io.netty.util.concurrent.EventExecutor executor() {
        return outbound.loop();
    }

    /** A live subscription passes the push itself on (its shared frame); one still held keeps its envelope. */
    @Override
    public boolean deliver(Push push, long offset, String epoch, String clientId) {
        return passPush(push, offset, epoch, clientId, false);
    }

    /** As {@link #deliver(Push, long, String, String)}, the push sent at once when nothing waits for the connection. */
    @Override
    public boolean deliverNow(Push push, long offset, String epoch, String clientId) {
        return passPush(push, offset, epoch, clientId, true);
    }

    private boolean passPush(Push push, long offset, String epoch, String clientId, boolean now) {
        if (state != LIVE) {
            return deliver(push.envelope(format()), offset, epoch, clientId);
        }
        if (noEchoFor != null && noEchoFor.equals(clientId)) {
            return false;
        }
        if (!advance(offset, epoch)) {
            return false;
        }
        if (now) {
            outbound.deliverNow(push);
        } else {
            outbound.deliver(push);
        }
        return true;
    }

    @Override
    public boolean deliver(ByteBuf frame, long offset, String epoch, String clientId) {
        if (noEchoFor != null && noEchoFor.equals(clientId)) {
            frame.release();
            return false;
        }
        if (state != LIVE) {
            synchronized (this) {
                if (state == HOLDING) {
                    held.bytes += frame.readableBytes();
                    if (held.frames.size() >= MAX_HELD || held.bytes > outbound.maxPendingBytes()) {
                        // The channel is moving faster than the history read: treat as a slow consumer.
                        frame.release();
                        outbound.overflow();
                        return false;
                    }
                    held.frames.add(new Held(frame, offset, epoch));
                    return true;
                }
                if (state == ENDED) {
                    frame.release();
                    return false;
                }
                return pass(frame, offset, epoch); // went live meanwhile
            }
        }
        return pass(frame, offset, epoch);
    }

    /** Passes one frame on unless its offset is not above what was passed on already in its epoch. */
    private boolean pass(ByteBuf frame, long offset, String epoch) {
        if (!advance(offset, epoch)) {
            frame.release();
            return false;
        }
        outbound.deliver(frame);
        return true;
    }

    /** Records a frame's position as passed on; false when it is not above what was passed on in its epoch. */
    private boolean advance(long offset, String epoch) {
        if (offset >= 0 && epoch != null) {
            if (epoch.equals(this.epoch) && offset <= passed) {
                return false;
            }
            this.epoch = epoch;
            this.passed = offset;
        }
        return true;
    }

    /**
     * Goes live at the position the subscribe's ack named: passes on the held frames above it (and every
     * frame without an offset), in arrival order, then lets frames through directly, still never one at or
     * below the position. Must be called after the ack and any recovered messages were queued, so that the
     * client sees them in that order.
     *
     * @param epoch the stream's epoch the ack named, or null for a channel without one
     * @param upTo  the offset the ack named (everything up to it the client has or was told it cannot have)
     */
    void goLive(String epoch, long upTo) {
        synchronized (this) {
            if (state != HOLDING) {
                return;
            }
            this.epoch = epoch;
            this.passed = upTo;
            List<Held> frames = held.frames;
            held = null;
            for (Held h : frames) {
                pass(h.frame(), h.offset(), h.epoch());
            }
            state = LIVE;
        }
    }

    void onInterrupted(Interruptions r) {
        onInterrupted = r;
    }

    /** Ends the subscription at once: nothing delivered after this call is passed on. */
    @Override
    public void interrupted() {
        boolean wasLive;
        synchronized (this) {
            if (state == ENDED) {
                return;
            }
            wasLive = state == LIVE;
            end();
        }
        Interruptions r = onInterrupted;
        if (r != null) {
            r.interrupted(this, wasLive);
        }
    }

    /** True once the subscription was cancelled or interrupted. */
    boolean ended() {
        return state == ENDED;
    }

    /** Drops anything held; the subscription is over. */
    void cancel() {
        synchronized (this) {
            end();
        }
    }

    private void end() {
        if (held != null) {
            held.frames.forEach(h -> h.frame().release());
            held = null;
        }
        state = ENDED;
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
