package io.switchboard.bench.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The figures of one mode's run: the table's row, the events behind it, and examples of each anomaly. */
public final class ModeResult {
    public String mode;
    public double seconds;

    public long attempted;
    public long acknowledged;
    public long lost;
    public long storedTwice;
    public long delivered;
    public long duplicates;
    public long gaps;
    public long unexplainedGaps;
    public long missedOffsets;
    public long reorderings;
    public long falsePresencePairs;

    public long publishRetries;
    public long unackedButStored;
    public long refused;
    public long ackMismatches;
    public long contentMismatches;
    public long badAcks;
    public long historyEntries;
    public long epochChanges;
    public long falseOffline;
    public long offlinePushes;
    public long subscriberDisconnects;
    public long ownDrops;
    public long silentConnections;
    public long sinceSubscribes;
    public long recoveredTrue;
    public long messagesBeforeAck;
    public long messagesAfterUnsubscribe;
    public final Map<String, Long> recoveredFalse = new TreeMap<>();
    public final Map<String, Long> unsubscribedPushes = new TreeMap<>();
    public final Map<String, Long> subscribeErrors = new TreeMap<>();
    public final Map<String, Long> publishErrors = new TreeMap<>();
    public final List<String> faults = new ArrayList<>();
    public final Map<String, List<String>> examples = new LinkedHashMap<>();

    /** Whether the run broke a promise: the figures that must be 0. */
    public boolean failed() {
        return lost + storedTwice + duplicates + unexplainedGaps + reorderings + ackMismatches + contentMismatches + badAcks > 0;
    }

    void example(String kind, String what) {
        List<String> l = examples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (l.size() < OffsetCheck.EXAMPLES) {
            l.add(what);
        }
    }

    static void add(Map<String, Long> into, Map<String, Long> from) {
        from.forEach((k, v) -> into.merge(k, v, Long::sum));
    }
}
