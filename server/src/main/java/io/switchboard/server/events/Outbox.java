package io.switchboard.server.events;

import io.switchboard.server.engine.EventQueue;
import io.switchboard.server.engine.EventQueue.ConnectionRecord;
import io.switchboard.server.engine.EventQueue.NewEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's events on their way into the engine's queues, in the order they happened: one append in flight
 * at a time (what waits behind it is sent together with the next), and a failed append is retried, before
 * anything that came after it, until the engine takes it. So one node's events reach the queues in their
 * order even while Redis is away. Bounded: past {@link #MAX_PENDING} waiting steps new ones are dropped and
 * counted, never buffered without limit.
 */
final class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    static final int MAX_PENDING = 100_000;
    private static final int MAX_EVENTS_PER_APPEND = 500;
    private static final long RETRY_MILLIS = 250;

    /** One step: connection records and the events that go with them. */
    record Step(List<ConnectionRecord> records, List<NewEvent> events) {
    }

    private final EventQueue queue;
    private final ScheduledExecutorService timer;
    private final Runnable onAppended;
    private final Runnable onDropped;
    // Guarded by this.
    private final ArrayDeque<Step> pending = new ArrayDeque<>();
    private boolean sending;
    private boolean open; // the node has said it is alive: its records may be written
    private boolean failing;

    Outbox(EventQueue queue, ScheduledExecutorService timer, Runnable onAppended, Runnable onDropped) {
        this.queue = queue;
        this.timer = timer;
        this.onAppended = onAppended;
        this.onDropped = onDropped;
    }

    synchronized void add(Step step) {
        if (pending.size() >= MAX_PENDING) {
            onDropped.run();
            return;
        }
        pending.add(step);
        if (open && !sending) {
            sendNext();
        }
    }

    /** The node's liveness mark is in the engine: records written from now on cannot be taken for a dead node's. */
    synchronized void open() {
        open = true;
        if (!sending && !pending.isEmpty()) {
            sendNext();
        }
    }

    synchronized int pending() {
        return pending.size();
    }

    /** Waits (at most {@code millis}) until everything added so far is in the engine; for a clean shutdown. */
    void awaitIdle(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            synchronized (this) {
                if (pending.isEmpty() && !sending) {
                    return;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Caller holds the lock. */
    private void sendNext() {
        List<ConnectionRecord> records = new ArrayList<>();
        List<NewEvent> events = new ArrayList<>();
        List<Step> taken = new ArrayList<>();
        while (!pending.isEmpty() && (taken.isEmpty() || events.size() + pending.peek().events().size() <= MAX_EVENTS_PER_APPEND)) {
            Step s = pending.poll();
            taken.add(s);
            records.addAll(s.records());
            events.addAll(s.events());
        }
        sending = true;
        queue.appendEvents(records, events).whenCompleteAsync((ok, failure) -> done(taken, failure), timer);
    }

    private synchronized void done(List<Step> taken, Throwable failure) {
        sending = false;
        if (failure != null) {
            for (int i = taken.size() - 1; i >= 0; i--) {
                pending.addFirst(taken.get(i));
            }
            if (!failing) {
                failing = true;
                log.warn("webhook events wait for the engine ({} steps pending): {}", pending.size(), failure.toString());
            }
            sending = true; // nothing else may overtake the retry
            timer.schedule(this::retry, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (failing) {
            failing = false;
            log.info("webhook events reach the engine again");
        }
        onAppended.run();
        if (!pending.isEmpty()) {
            sendNext();
        }
    }

    private synchronized void retry() {
        sending = false;
        if (!pending.isEmpty()) {
            sendNext();
        }
    }
}
