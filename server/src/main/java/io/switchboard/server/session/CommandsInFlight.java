package io.switchboard.server.session;

import io.switchboard.protocol.CommandId;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.util.LoopTimers;
import java.util.HashMap;
import java.util.Map;

/**
 * The part of a {@link Session} that knows which commands await their reply: for the command duration metric,
 * and for a client's close, which is answered once they all are. A base class rather than an object of its
 * own, so that a connection pays for no extra object: the one command most clients have in flight at a time
 * is kept in three fields, more (a client that pipelines commands) in a map made on first use. Event loop only.
 * It extends {@link LoopTimers.Timer} for the same reason: the session's one timer is its place among its
 * event loop's timers.
 */
abstract class CommandsInFlight extends LoopTimers.Timer {

    private static final MessageType[] TYPES = MessageType.values();

    private CommandId oneId; // null when none
    private int oneType;
    private long oneStartNanos;
    private Map<CommandId, long[]> more; // id -> {type ordinal, start nanos}

    /** A command that will be answered: {@code type} its ordinal, {@code startNanos} when its frame arrived. */
    final void track(CommandId id, int type, long startNanos) {
        if ((oneId == null && (more == null || !more.containsKey(id))) || id.equals(oneId)) {
            oneId = id;
            oneType = type;
            oneStartNanos = startNanos;
            return;
        }
        if (more == null) {
            more = new HashMap<>(4);
        }
        more.put(id, new long[] {type, startNanos}); // a repeated id replaces the earlier entry
    }

    /** A reply to {@code id} is going out: the command is done, if it was in flight. */
    final void answered(CommandId id, Metrics metrics) {
        if (id.equals(oneId)) {
            oneId = null;
            metrics.commandDone(TYPES[oneType], System.nanoTime() - oneStartNanos);
            return;
        }
        long[] started = more == null ? null : more.remove(id);
        if (started != null) {
            metrics.commandDone(TYPES[(int) started[0]], System.nanoTime() - started[1]);
        }
    }

    final boolean nothingInFlight() {
        return oneId == null && (more == null || more.isEmpty());
    }
}
