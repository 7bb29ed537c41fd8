package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The part of a {@link Session} that keeps its heartbeat: when the next protocol ping is due, the deadline
 * of an unanswered one, and the answer owed to the client's latest WebSocket ping ({@link PendingPong}).
 * It decides nothing about time itself: the session's one timer asks {@link SessionDeadlines} what is due,
 * with {@link #nextPingAt()} and {@link #pongDeadline()} among the deadlines, and calls {@link #pinged} when
 * it sent a ping. A base class rather than an object of its own, like {@link CommandsInFlight}, so that a
 * connection pays for no extra object. Event loop only.
 */
abstract class Heartbeat extends CommandsInFlight {

    private long nextPingAt;
    private long pongDeadline; // 0 while no ping is unanswered
    private PendingPong pong; // made by the first WebSocket ping

    /** The first ping's moment ({@link SessionDeadlines#firstPing}), from {@code now}, for timers of {@code grain}. */
    final void startHeartbeat(long now, long interval, long grain) {
        nextPingAt = SessionDeadlines.firstPing(now, interval, grain, java.util.concurrent.ThreadLocalRandom.current());
    }

    /** When the next ping is due (the node's clock). */
    final long nextPingAt() {
        return nextPingAt;
    }

    /** When an unanswered ping times out; 0 while none is unanswered. */
    final long pongDeadline() {
        return pongDeadline;
    }

    /**
     * A ping went out at {@code now}: the next is due {@code spacing} later ({@link SessionDeadlines#pingSpacing}),
     * and the client has {@code timeout} to answer, counted from the oldest unanswered ping.
     */
    final void pinged(long now, long spacing, long timeout) {
        if (pongDeadline == 0) {
            pongDeadline = now + timeout;
        }
        nextPingAt = now + spacing;
    }

    /** The client answered: no ping is unanswered any more. */
    final void ponged() {
        pongDeadline = 0;
    }

    /** The client's WebSocket ping: it replaces any earlier one not answered yet. */
    final void protocolPing(ByteBuf content) {
        if (pong == null) {
            pong = new PendingPong();
        }
        pong.received(content);
    }

    /**
     * Writes the pong owed, if there is one and the socket takes it ({@link PendingPong#answer}); with
     * {@code allowed} false, forgets it.
     */
    final void answerProtocolPing(Channel channel, boolean allowed) {
        if (pong != null) {
            pong.answer(channel, allowed);
        }
    }

    /** The connection is gone: releases the data of a ping not answered. */
    final void releaseProtocolPing() {
        if (pong != null) {
            pong.release();
        }
    }
}
