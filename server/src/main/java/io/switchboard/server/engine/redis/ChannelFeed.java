package io.switchboard.server.engine.redis;

import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * One subscribed channel's live feed on this node: it passes publications to the sink in offset order,
 * each once, and fills holes from the channel's stream. A hole shows up when a publication arrives whose
 * offset is more than one past the last one delivered (the broker reordered, or a connection to it was
 * lost), or when the broker connection comes back ({@link #catchUp}). The feed never moves past a hole:
 * while the stream cannot be read (Redis is restarting, or this node's command connection is not back
 * yet) it keeps what arrives and reads again, with backoff, for up to {@link #REPAIR_PATIENCE_MILLIS}.
 * What cannot be filled (the stream lost it, the channel keeps no history, or the stream stayed
 * unreadable too long) is reported to the sink with {@code onGap} before any later publication, so that
 * the subscribers are told, in order, rather than left with a silent hole.
 *
 * <p>Everything is done under the feed's lock; the sink's methods do not block.
 */
final class ChannelFeed {

    /** How long a hole is retried while the stream cannot be read, before the subscribers are told. */
    static final long REPAIR_PATIENCE_MILLIS = 30_000;
    /** Most arrivals kept while a hole is being repaired; more means the subscribers are told instead. */
    static final int MAX_PENDING = 10_000;
    private static final long FIRST_RETRY_MILLIS = 100;
    private static final long MAX_RETRY_MILLIS = 1_000;

    /** Runs a task later (the engine's timer); tests run it when they choose. */
    interface Retry {
        void schedule(Runnable task, long delayMillis);
    }

    /** Reads the stream: (after, limit) to the stream's position and the publications after {@code after}. */
    private final BiFunction<Long, Integer, CompletableFuture<HistoryResult>> reader;
    private final String channel;
    private final PublicationSink sink;
    private final Retry retry;
    // Arrivals held while the feed starts or repairs, in arrival order. Guarded by this.
    private final ArrayDeque<Publication> pending = new ArrayDeque<>();
    private String epoch; // null: no position known (no stream, or not read yet)
    private long last;
    private boolean ready;
    private boolean repairing;
    private boolean catchUpAfterRepair;
    // When the current repair first failed to read the stream (System.nanoTime()), 0 while reads succeed.
    private long failingSince;
    private int failures;
    private boolean closed;

    /** Whether the node still wants this channel; false while a delayed unsubscribe is pending. Guarded by this. */
    boolean wanted = true;
    /** Completes when the feed delivers. */
    final CompletableFuture<Void> live = new CompletableFuture<>();

    ChannelFeed(String channel, PublicationSink sink, BiFunction<Long, Integer, CompletableFuture<HistoryResult>> reader,
                Retry retry) {
        this.channel = channel;
        this.sink = sink;
        this.reader = reader;
        this.retry = retry;
    }

    /** The node let go of the channel: nothing more is delivered, and a pending repair is abandoned. */
    synchronized void close() {
        closed = true;
        pending.clear();
    }

    /** The broker delivers from now on; {@code position} is the stream's position read after that (epoch "" = none). */
    synchronized void start(HistoryResult position) {
        if (position != null && !position.epoch().isEmpty()) {
            epoch = position.epoch();
            last = position.offset();
        }
        ready = true;
        drain();
        live.complete(null);
    }

    synchronized void onPublication(Publication p) {
        if (closed) {
            return;
        }
        if (!ready || repairing) {
            pending.add(p);
            return;
        }
        accept(p);
    }

    /** Presence changes carry no offset: they are passed on at once (presence is a view, see guarantees.md). */
    void onPresence(io.switchboard.server.engine.PresenceUpdate u) {
        sink.onPresenceUpdate(u);
    }

    /** The broker connection came back: fetch whatever was published meanwhile, or say that it cannot be. */
    synchronized void catchUp() {
        if (!ready || closed) {
            return; // start() reads the position after the subscription, so nothing is missed
        }
        if (repairing) {
            catchUpAfterRepair = true;
            return;
        }
        // Also without a known epoch: a channel with history whose stream did not exist yet when the feed
        // started (its subscribers' reads created it) is read from its first offset. Only a channel that still
        // has no stream (a live-only channel) cannot be caught up, and its subscribers are told.
        repair(Long.MAX_VALUE);
    }

    private void accept(Publication p) {
        if (!p.hasPosition()) {
            sink.onPublication(p);
            return;
        }
        if (epoch == null || !epoch.equals(p.epoch())) {
            if (epoch != null && p.offset() != 1) {
                // The stream restarted and this node missed its start: it cannot tell its subscribers what.
                sink.onGap(channel);
                epoch = p.epoch();
                last = p.offset() - 1;
            } else {
                epoch = p.epoch();
                last = 0;
            }
        }
        if (p.offset() <= last) {
            return; // delivered already (the repair read it from the stream first)
        }
        if (p.offset() == last + 1) {
            last = p.offset();
            sink.onPublication(p);
            return;
        }
        pending.addFirst(p);
        repair(p.offset());
    }

    /** Counts a failed read; true while the repair should go on trying. */
    private boolean keepTrying() {
        failures++;
        long now = System.nanoTime();
        if (failingSince == 0) {
            failingSince = now;
        }
        return now - failingSince < REPAIR_PATIENCE_MILLIS * 1_000_000L && pending.size() < MAX_PENDING;
    }

    private synchronized void retryRepair(long upTo) {
        if (!closed) {
            repair(upTo); // last has not moved: the hole is the same
        }
    }

    /** Reads (last, upTo) from the stream and delivers it; upTo = MAX_VALUE reads to the stream's head. */
    private void repair(long upTo) {
        repairing = true;
        long after = last;
        String expected = epoch;
        int limit = (int) Math.min(upTo == Long.MAX_VALUE ? 10_000 : upTo - after - 1, 10_000);
        reader.apply(after, limit).whenComplete((h, failure) -> repaired(expected, after, upTo, h, failure));
    }

    private synchronized void repaired(String expected, long after, long upTo, HistoryResult h, Throwable failure) {
        if (closed) {
            return;
        }
        if (failure != null && keepTrying()) {
            // The stream could not be read (Redis away, or this node's command connection not back yet): the
            // hole may well be there to fill. Hold everything behind it and read again; never move past it.
            long delay = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(failures - 1, 4));
            retry.schedule(() -> retryRepair(upTo), delay);
            return;
        }
        failingSince = 0;
        failures = 0;
        repairing = false;
        if (failure == null && expected == null && !h.epoch().isEmpty()) {
            // The feed never saw a publication of this stream: everything in it is after the feed's start.
            epoch = h.epoch();
            last = 0;
            expected = epoch;
        }
        boolean whole = failure == null && expected != null && expected.equals(h.epoch());
        if (whole) {
            for (Publication p : h.publications()) {
                if (p.offset() <= last || p.offset() >= upTo) {
                    continue;
                }
                if (p.offset() != last + 1) {
                    whole = false;
                    break;
                }
                last = p.offset();
                sink.onPublication(p);
            }
            long target = upTo == Long.MAX_VALUE ? h.offset() : upTo - 1;
            whole &= last >= target;
        }
        if (!whole) {
            sink.onGap(channel);
            if (failure == null && !h.epoch().isEmpty() && upTo == Long.MAX_VALUE) {
                epoch = h.epoch();
                last = h.offset();
            } else if (upTo != Long.MAX_VALUE) {
                last = upTo - 1;
            }
        }
        if (catchUpAfterRepair) {
            catchUpAfterRepair = false;
            repair(Long.MAX_VALUE);
            return;
        }
        drain();
    }

    private void drain() {
        while (!repairing && !pending.isEmpty()) {
            accept(pending.poll());
        }
    }
}
