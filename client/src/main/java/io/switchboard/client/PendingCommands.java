package io.switchboard.client;

import io.switchboard.protocol.CommandId;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.MessageType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Commands waiting for their reply, and commands waiting for a connection. Ids are increasing integers;
 * every command is answered exactly once: by its reply, or by a client-side failure (timeout, lost
 * connection, closed client). Every deadline is issue time plus the command timeout, so the map's
 * insertion order is deadline order and one timer (for the oldest command) covers them all.
 * Confined to the client's loop.
 */
final class PendingCommands {

    /** Called on the loop exactly once per command: with the reply ({@code ack} or {@code pong}) or an error. */
    interface Reply {
        void done(Envelope reply, SwitchboardException error, long sentAtNanos);
    }

    private static final class Pending {
        final long id;
        final MessageType type;
        final byte[] frame;
        final long deadline;
        final Reply reply;
        boolean sent;
        long sentAt;

        Pending(long id, MessageType type, byte[] frame, long deadline, Reply reply) {
            this.id = id;
            this.type = type;
            this.frame = frame;
            this.deadline = deadline;
            this.reply = reply;
        }
    }

    private final Scheduler clock;
    private final Executor loop;
    private final long timeoutNanos;
    private final int maxQueued;
    private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
    private long nextId = 1;
    private int queued; // pending commands not yet sent
    private Outbox outbox; // null while not connected
    private int maxFrameBytes = Integer.MAX_VALUE;
    private io.switchboard.protocol.WireFormat format = io.switchboard.protocol.WireFormat.JSON;
    private Scheduler.Cancellable timer;

    PendingCommands(Scheduler clock, Executor loop, long timeoutNanos, int maxQueued) {
        this.clock = clock;
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.maxQueued = maxQueued;
    }

    /** How commands are encoded (the client's protocol); set once, before the first command. */
    void format(io.switchboard.protocol.WireFormat format) {
        this.format = format;
    }

    /** Sends the command now if connected, queues it if allowed, or fails it. */
    void issue(MessageType type, Envelope.Builder command, Reply reply) {
        if (outbox == null) {
            if (maxQueued == 0) {
                reply.done(null, new SwitchboardException(SwitchboardException.NOT_CONNECTED,
                        "not connected, and this client fails commands instead of queueing them", true), 0);
                return;
            }
            if (queued >= maxQueued) {
                reply.done(null, new SwitchboardException(SwitchboardException.QUEUE_FULL,
                        queued + " commands already wait for a connection", true), 0);
                return;
            }
        }
        long id = nextId++;
        byte[] frame = format.encode(command.id(CommandId.of(id)).build());
        if (outbox != null && frame.length > maxFrameBytes) {
            reply.done(null, tooLarge(frame.length), 0);
            return;
        }
        Pending p = new Pending(id, type, frame, clock.nanoTime() + timeoutNanos, reply);
        pending.put(id, p);
        armTimer();
        if (outbox != null) {
            transmit(p);
        } else {
            queued++;
        }
    }

    /** The connection is usable: commands go straight out from now on (queued ones wait for {@link #flushQueued}). */
    void connected(Outbox outbox, int maxFrameBytes) {
        this.outbox = outbox;
        this.maxFrameBytes = maxFrameBytes;
    }

    boolean isConnected() {
        return outbox != null;
    }

    /** Sends what waited for the connection, in the order it was issued. */
    void flushQueued() {
        if (outbox == null || queued == 0) {
            return;
        }
        List<Pending> unsent = new ArrayList<>(queued);
        for (Pending p : pending.values()) {
            if (!p.sent) {
                unsent.add(p);
            }
        }
        for (Pending p : unsent) {
            if (outbox == null) {
                return; // a reply handler reacted by closing; the rest keeps waiting
            }
            queued--;
            if (p.frame.length > maxFrameBytes) {
                pending.remove(p.id);
                p.reply.done(null, tooLarge(p.frame.length), 0);
            } else {
                transmit(p);
            }
        }
    }

    /** The connection is gone: commands already sent fail (they may or may not have been applied); queued ones wait. */
    void disconnected(int code) {
        outbox = null;
        List<Pending> lost = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.sent) {
                it.remove();
                lost.add(p);
            }
        }
        for (Pending p : lost) {
            p.reply.done(null, new SwitchboardException(SwitchboardException.DISCONNECTED,
                    "the connection was lost (" + code + ") before the reply to " + p.type.wireName() + " " + p.id
                            + "; it may or may not have been applied", true), p.sentAt);
        }
    }

    /** Fails every command, sent or not: the client stopped. */
    void failAll(SwitchboardException error) {
        outbox = null;
        List<Pending> all = new ArrayList<>(pending.values());
        pending.clear();
        queued = 0;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        for (Pending p : all) {
            p.reply.done(null, error, p.sentAt);
        }
    }

    /** Matches a reply ({@code ack}, {@code error} or {@code pong}) to its command; false when none waits for it. */
    boolean onReply(Envelope e) {
        if (e.id() == null || !e.id().numeric()) {
            return false;
        }
        long id;
        try {
            id = Long.parseLong(e.id().text());
        } catch (NumberFormatException notOurs) {
            return false;
        }
        Pending p = pending.remove(id);
        if (p == null) {
            return false; // the command already timed out
        }
        if (e.type() == MessageType.ERROR) {
            p.reply.done(null, fromServer(e), p.sentAt);
        } else {
            p.reply.done(e, null, p.sentAt);
        }
        return true;
    }

    int size() {
        return pending.size();
    }

    /** The exception for a server {@code error} envelope; unknown codes count as not retryable. */
    static SwitchboardException fromServer(Envelope e) {
        String code = e.code() == null ? ErrorCode.INTERNAL.wireName() : e.code();
        boolean retryable = ErrorCode.fromWireName(code) != null && Boolean.TRUE.equals(e.retryable());
        return new SwitchboardException(code, e.message(), retryable);
    }

    private void transmit(Pending p) {
        p.sent = true;
        p.sentAt = clock.nanoTime();
        outbox.send(p.frame);
    }

    private SwitchboardException tooLarge(int bytes) {
        return new SwitchboardException(SwitchboardException.TOO_LARGE,
                "the command is " + bytes + " bytes, over the server's limit of " + maxFrameBytes, false);
    }

    private void armTimer() {
        if (timer != null || pending.isEmpty()) {
            return;
        }
        long due = pending.values().iterator().next().deadline;
        timer = clock.schedule(() -> loop.execute(this::expire), due - clock.nanoTime());
    }

    private void expire() {
        timer = null;
        long now = clock.nanoTime();
        List<Pending> expired = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.deadline > now) {
                break;
            }
            it.remove();
            if (!p.sent) {
                queued--;
            }
            expired.add(p);
        }
        armTimer();
        long ms = timeoutNanos / 1_000_000;
        for (Pending p : expired) {
            p.reply.done(null, new SwitchboardException(SwitchboardException.TIMEOUT,
                    "no reply to " + p.type.wireName() + " within " + ms + " ms" + (p.sent ? "" : " (it never left the queue)"), true),
                    p.sentAt);
        }
    }
}
