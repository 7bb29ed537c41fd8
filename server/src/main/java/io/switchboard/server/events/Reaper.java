package io.switchboard.server.events;

import io.switchboard.server.engine.EventQueue;
import io.switchboard.server.engine.EventQueue.NewEvent;
import io.switchboard.server.engine.EventQueue.OrphanedNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's liveness mark in the engine, and finishes what dead nodes left: every third of the node
 * TTL it renews the mark, then claims the records of any node whose mark ran out and produces, for each of
 * that node's connections, what a close would have produced (each channel left, then {@code disconnect}
 * with code 1006 and reason {@code node_lost}), settled in one atomic step so that they exist once.
 */
final class Reaper {

    private static final Logger log = LoggerFactory.getLogger(Reaper.class);
    /** The close code of a connection whose node died: the abnormal closure of RFC 6455. */
    static final int NODE_LOST_CODE = 1006;

    private final Events events;
    private final EventQueue queue;
    private final String self;
    private final Duration ttl;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;
    private Runnable onFirstMark;

    Reaper(Events events, EventQueue queue, String self, Duration ttl, ScheduledExecutorService timer) {
        this.events = events;
        this.queue = queue;
        this.self = self;
        this.ttl = ttl;
        this.timer = timer;
    }

    /** Starts; {@code onFirstMark} runs once the engine has this node's first liveness mark. */
    void start(Runnable onFirstMark) {
        this.onFirstMark = onFirstMark;
        timer.execute(this::round);
    }

    void close() {
        closed = true;
    }

    private void round() {
        if (closed) {
            return;
        }
        queue.markAlive(self, ttl).whenCompleteAsync((ok, failure) -> {
            if (failure != null) {
                log.debug("could not renew this node's liveness mark: {}", failure.toString());
                next();
                return;
            }
            if (onFirstMark != null) {
                onFirstMark.run();
                onFirstMark = null;
            }
            claim();
        }, timer);
    }

    private void next() {
        if (!closed) {
            timer.schedule(this::round, Math.max(100, ttl.toMillis() / 3), TimeUnit.MILLISECONDS);
        }
    }

    private void claim() {
        queue.claimOrphans(self).whenCompleteAsync((orphans, failure) -> {
            if (failure != null || orphans == null) {
                next();
                return;
            }
            settle(orphans);
        }, timer);
    }

    private void settle(OrphanedNode orphans) {
        List<NewEvent> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : orphans.connections().entrySet()) {
            try {
                events.lastEvents(out, c.getKey(), Events.Conn.parse(c.getValue()), NODE_LOST_CODE, "node_lost");
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("skipping an unreadable connection record of dead node {}: {}", orphans.nodeId(), e.toString());
            }
        }
        queue.settleOrphans(orphans.nodeId(), self, out).whenCompleteAsync((done, failure) -> {
            if (failure == null && done) {
                log.info("node {} stopped renewing its liveness mark: produced the last events of its {} connections",
                        orphans.nodeId(), orphans.connections().size());
            }
            claim(); // another dead node, or this one again after a failure
        }, timer);
    }
}
