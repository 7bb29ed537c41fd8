package io.switchboard.server.hub;

import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gathers each channel's presence changes for its namespace's window and turns them into one push per
 * window: a {@code presenceDiff} (users who came and went, a join and a leave of one user within the window
 * cancelling out) or, over the namespace's user threshold, a {@code presenceCount}. The changes may come
 * from any node; each node coalesces what reaches it, so every node sends one push per channel per window
 * however many nodes the members are spread over. The push is encoded once and shared by the channel's
 * local subscribers, like a publication. Thread-safe: updates come from the engine's threads, flushes run
 * on the timer.
 */
final class PresenceWindows {

    /** Where a window's pushes go: the hub encodes each once and hands it to the channel's subscribers. */
    interface Out {
        void push(String channel, MessageType type, byte[] payload);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PresenceWindows.class);

    /** Users per window step of a channel that gets diffs (and the least step of one that gets counts). */
    static final int DIFF_STEP = 100;

    private final ScheduledExecutorService timer;
    private final Out out;
    private final int maxPayloadBytes;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** @param maxPayloadBytes a diff over this is split into several pushes, each within it */
    PresenceWindows(ScheduledExecutorService timer, Out out, int maxPayloadBytes) {
        this.timer = timer;
        this.out = out;
        this.maxPayloadBytes = Math.max(256, maxPayloadBytes);
    }

    /** Adds a change to its channel's window, opening the window (and scheduling its push) if none is open. */
    void add(PresenceUpdate u, NamespaceConfig ns) {
        while (true) {
            Window w = windows.computeIfAbsent(u.channel(), c -> new Window());
            synchronized (w) {
                if (w.closed) {
                    continue; // flushed and removed meanwhile: open a new one
                }
                w.add(u);
                if (!w.scheduled) {
                    w.scheduled = true;
                    timer.schedule(() -> flush(u.channel(), w, ns), ns.presenceWindow().toMillis(), TimeUnit.MILLISECONDS);
                }
                return;
            }
        }
    }

    /** Runs on the timer (one thread, so one channel's pushes go out in order). */
    private void flush(String channel, Window w, NamespaceConfig ns) {
        Window.Result r;
        synchronized (w) {
            r = w.drain(ns.presenceCountsAbove());
            if (r == null) {
                // Nothing happened in a whole window: forget the channel until its next change.
                w.scheduled = false;
                w.closed = true;
                windows.remove(channel, w);
                return;
            }
            // The next window starts now, so a channel gets at most one push per window; a large channel's
            // windows are as many times longer as it has threshold-fulls of users.
            timer.schedule(() -> flush(channel, w, ns), nextWindowMillis(ns, r), TimeUnit.MILLISECONDS);
        }
        if (r.empty()) {
            return;
        }
        try {
            if (r.countOnly()) {
                out.push(channel, MessageType.PRESENCE_COUNT, Json.object(g -> g.writeNumberField("users", r.users())));
            } else {
                for (byte[] payload : diffPayloads(r.joins(), r.leaves(), r.users(), maxPayloadBytes)) {
                    out.push(channel, MessageType.PRESENCE_DIFF, payload);
                }
            }
        } catch (RuntimeException e) {
            // A failed push must not stop the channel's later windows.
            LOG.warn("presence push failed: {}", e.toString());
        }
    }

    /**
     * How long the next window lasts: the namespace's window, times ⌈users / step⌉, where the step is
     * {@value #DIFF_STEP} users for a channel that gets diffs and half the threshold (at least
     * {@value #DIFF_STEP}) for one that gets counts. A flush costs one delivery per member, so a channel's
     * pushes cost at most about a step's worth of deliveries per window however large it grows, and filling
     * a channel a bounded number per join. With the defaults: 200 ms up to 100 users, 2 s at 1,000,
     * then counts every 2 s at 5,000 users and every 20 s at 50,000.
     */
    static long nextWindowMillis(NamespaceConfig ns, Window.Result r) {
        long step = r.countOnly() ? Math.max(DIFF_STEP, ns.presenceCountsAbove() / 2) : DIFF_STEP;
        return ns.presenceWindow().toMillis() * Math.max(1, (r.users() + step - 1) / step);
    }

    /**
     * {@code {"joins":[...],"leaves":[...],"users":n}}, split into several payloads each within {@code max}
     * bytes when the lists are long; a user is in exactly one of them, so the order of the parts does not matter.
     */
    static List<byte[]> diffPayloads(List<String> joins, List<String> leaves, long users, int max) {
        List<byte[]> parts = new ArrayList<>();
        int j = 0;
        int l = 0;
        while (j < joins.size() || l < leaves.size() || parts.isEmpty()) {
            int budget = max - 64;
            List<String> pj = new ArrayList<>();
            List<String> pl = new ArrayList<>();
            while (j < joins.size() && (pj.isEmpty() || budget >= jsonSize(joins.get(j)))) {
                budget -= jsonSize(joins.get(j));
                pj.add(joins.get(j++));
            }
            while (l < leaves.size() && ((pj.isEmpty() && pl.isEmpty()) || budget >= jsonSize(leaves.get(l)))) {
                budget -= jsonSize(leaves.get(l));
                pl.add(leaves.get(l++));
            }
            parts.add(Json.object(g -> {
                g.writeArrayFieldStart("joins");
                for (String u : pj) {
                    g.writeString(u);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("leaves");
                for (String u : pl) {
                    g.writeString(u);
                }
                g.writeEndArray();
                g.writeNumberField("users", users);
            }));
        }
        return parts;
    }

    /** An upper bound of a user id's size in a JSON array: every byte escaped, quotes and a comma. */
    private static int jsonSize(String user) {
        return 6 * user.getBytes(StandardCharsets.UTF_8).length + 3;
    }

    /** One channel's open window. Guarded by its own monitor. */
    static final class Window {
        // user -> true (came online) or false (went offline), in the order of each user's first change here
        private final LinkedHashMap<String, Boolean> pending = new LinkedHashMap<>();
        private long users = -1;
        private long order = Long.MIN_VALUE;
        private boolean changed;
        private boolean counting;
        private long sentCount = -1;
        boolean scheduled;
        boolean closed;

        /**
         * Takes one change: the opposite of a change already pending for the user cancels it (a join followed
         * by a leave, or a leave by a rejoin, leaves the user as the window found it); a repeat is ignored.
         * The user count is the one of the latest change by the store's order.
         */
        void add(PresenceUpdate u) {
            changed = true;
            if (u.order() >= order) {
                order = u.order();
                users = u.users();
            }
            Boolean before = pending.get(u.userId());
            if (before == null) {
                pending.put(u.userId(), u.online());
            } else if (before != u.online()) {
                pending.remove(u.userId());
            }
        }

        /** What the window's push is, or null when nothing at all happened in it; empties the window. */
        Result drain(int countsAbove) {
            if (!changed) {
                return null;
            }
            changed = false;
            boolean wasCounting = counting;
            counting = users > countsAbove;
            List<String> joins = new ArrayList<>();
            List<String> leaves = new ArrayList<>();
            for (Map.Entry<String, Boolean> e : pending.entrySet()) {
                (e.getValue() ? joins : leaves).add(e.getKey());
            }
            pending.clear();
            if (counting) {
                // Members of a large channel get the count, and only when it changed.
                boolean same = wasCounting && users == sentCount;
                sentCount = users;
                return new Result(true, List.of(), List.of(), users, same);
            }
            // Back under the threshold, a diff goes out even when empty: it tells clients lists are back.
            return new Result(false, joins, leaves, users, joins.isEmpty() && leaves.isEmpty() && !wasCounting);
        }

        /** @param empty true when the changes cancelled out and nothing needs to be pushed */
        record Result(boolean countOnly, List<String> joins, List<String> leaves, long users, boolean empty) {
        }
    }
}
