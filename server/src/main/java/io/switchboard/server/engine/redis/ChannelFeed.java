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
 * lost), or when the broker connection comes back ({@link #catchUp}). What cannot be filled (the stream
 * lost it, or the channel keeps no history) is reported to the sink with {@code onGap}, so that the
 * subscribers are told rather than left with a silent hole.
 *
 * <p>Everything is done under the feed's lock; the sink's methods do not block.
 */
final class ChannelFeed {

    /** Reads the stream: (after, limit) to the stream's position and the publications after {@code after}. */
    private final BiFunction<Long, Integer, CompletableFuture<HistoryResult>> reader;
    private final String channel;
    private final PublicationSink sink;
    // Arrivals held while the feed starts or repairs, in arrival order. Guarded by this.
    private final ArrayDeque<Publication> pending = new ArrayDeque<>();
    private String epoch; // null: no position known (no stream, or not read yet)
    private long last;
    private boolean ready;
    private boolean repairing;
    private boolean catchUpAfterRepair;

    /** Whether the node still wants this channel; false while a delayed unsubscribe is pending. Guarded by this. */
    boolean wanted = true;
    /** Completes when the feed delivers. */
    final CompletableFuture<Void> live = new CompletableFuture<>();

    ChannelFeed(String channel, PublicationSink sink, BiFunction<Long, Integer, CompletableFuture<HistoryResult>> reader) {
        this.channel = channel;
        this.sink = sink;
        this.reader = reader;
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
        if (!ready) {
            return; // start() reads the position after the subscription, so nothing is missed
        }
        if (repairing) {
            catchUpAfterRepair = true;
            return;
        }
        if (epoch == null) {
            // A live-only channel (or one whose position this node never learned): what was published while
            // the broker was away cannot be known, so the subscribers are told.
            sink.onGap(channel);
            return;
        }
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

    /** Reads (last, upTo) from the stream and delivers it; upTo = MAX_VALUE reads to the stream's head. */
    private void repair(long upTo) {
        repairing = true;
        long after = last;
        String expected = epoch;
        int limit = (int) Math.min(upTo == Long.MAX_VALUE ? 10_000 : upTo - after - 1, 10_000);
        reader.apply(after, limit).whenComplete((h, failure) -> repaired(expected, after, upTo, h, failure));
    }

    private synchronized void repaired(String expected, long after, long upTo, HistoryResult h, Throwable failure) {
        repairing = false;
        boolean whole = failure == null && expected.equals(h.epoch());
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
            if (epoch != null) {
                repair(Long.MAX_VALUE);
                return;
            }
            sink.onGap(channel);
        }
        drain();
    }

    private void drain() {
        while (!repairing && !pending.isEmpty()) {
            accept(pending.poll());
        }
    }
}
