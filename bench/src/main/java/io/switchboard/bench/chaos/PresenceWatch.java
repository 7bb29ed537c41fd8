package io.switchboard.bench.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code presenceUpdate} pushes every subscriber saw, and when each user of the run left its channel
 * on its own account (it unsubscribed, dropped its connection, or lost it to a killed or frozen node).
 * An {@code offline} push for a user that did not leave within the presence TTL (plus a margin for the
 * sweep) before it is false: its subscription was live all along. A false pair is such an {@code
 * offline} followed by an {@code online} of the same user on the same channel within 3 s: a blink.
 * Used on the run's one client thread.
 */
final class PresenceWatch {

    private record Push(String channel, String user, String status, long timestamp) {
    }

    private final long ttlMillis;
    private volatile long startMillis = System.currentTimeMillis();
    private final Set<Push> pushes = new LinkedHashSet<>(); // one per event, however many subscribers saw it
    private final Map<String, List<Long>> leaves = new HashMap<>();

    PresenceWatch(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** The moment the run's clock starts (publishing): examples give times from it, like the faults. */
    void start() {
        startMillis = System.currentTimeMillis();
    }

    void push(String channel, String user, String status, long timestamp) {
        pushes.add(new Push(channel, user, status, timestamp));
    }

    void left(String user) {
        leaves.computeIfAbsent(user, u -> new ArrayList<>()).add(System.currentTimeMillis());
    }

    long offlinePushes() {
        return pushes.stream().filter(p -> p.status.equals("offline")).count();
    }

    /** Offline pushes of a user that had not left in the TTL + 3 s before. */
    long falseOffline() {
        return pushes.stream().filter(this::isFalseOffline).count();
    }

    /** False offline pushes followed by the same user's online within 3 s. */
    long falsePairs(List<String> examples) {
        long n = 0;
        for (Push off : pushes) {
            if (!isFalseOffline(off)) {
                continue;
            }
            for (Push on : pushes) {
                if (on.status.equals("online") && on.user.equals(off.user) && on.channel.equals(off.channel)
                        && on.timestamp >= off.timestamp && on.timestamp - off.timestamp <= 3000) {
                    n++;
                    if (examples.size() < OffsetCheck.EXAMPLES) {
                        examples.add(off.user + " on " + off.channel + ": offline " + (off.timestamp - startMillis) + " ms into the run, online "
                                + (on.timestamp - off.timestamp) + " ms later, without having left");
                    }
                    break;
                }
            }
        }
        return n;
    }

    private boolean isFalseOffline(Push p) {
        if (!p.status.equals("offline")) {
            return false;
        }
        for (long t : leaves.getOrDefault(p.user, List.of())) {
            if (t <= p.timestamp + 500 && p.timestamp - t <= ttlMillis + 3000) {
                return false;
            }
        }
        return true;
    }
}
