package io.switchboard.bench.chaos;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The chaos run as markdown: the table for docs/guarantees.md, the events behind it, and examples. */
public final class ChaosReport {

    static final List<String> COLUMNS = List.of("mode", "attempted", "acknowledged", "lost", "stored twice", "delivered",
            "duplicates", "gaps", "unexplained gaps", "reorderings", "presence blinks");

    private ChaosReport() {
    }

    public static String markdown(List<ModeResult> results, ChaosSettings s, Map<String, String> env) {
        StringBuilder md = new StringBuilder("# bench/chaos\n\n");
        md.append(String.format("%d nodes, %d raw-protocol subscribers on %d channels, %d publishers at %.0f/s, "
                        + "%.0f s per mode, own drops every %.0f s per subscriber (mean), seed %d.%n%n",
                s.nodes, s.subscribers, s.channels, s.publishers, s.rate, s.durationSeconds, s.dropEverySeconds, s.seed));
        md.append('|').append(String.join(" | ", COLUMNS)).append("|\n|");
        md.append("---|".repeat(COLUMNS.size())).append('\n');
        for (ModeResult r : results) {
            md.append(String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |%n", r.mode, r.attempted, r.acknowledged,
                    r.lost, r.storedTwice, r.delivered, r.duplicates, r.gaps, r.unexplainedGaps, r.reorderings, r.falsePresencePairs));
        }
        md.append('\n');
        for (ModeResult r : results) {
            md.append("**").append(r.mode).append("**: ").append(r.failed() ? "FAILED" : "passed")
                    .append(" (lost, stored twice, duplicates, unexplained gaps, reorderings, idempotency and content mismatches, "
                            + "impossible acks must all be 0).\n\n");
            md.append("| event | count |\n|---|---|\n");
            row(md, "faults", String.join("; ", r.faults));
            row(md, "seconds of publishing", String.format("%.1f", r.seconds));
            row(md, "publish retries (same key)", r.publishRetries);
            row(md, "publish errors", codes(r.publishErrors));
            row(md, "never acknowledged but stored", r.unackedButStored);
            row(md, "refused for good", r.refused);
            row(md, "history entries", r.historyEntries);
            row(md, "subscriber disconnects (own abrupt closes included)", r.subscriberDisconnects);
            row(md, "own drops", r.ownDrops);
            row(md, "connections given up as silent (frozen node)", r.silentConnections);
            row(md, "subscribes with since", r.sinceSubscribes);
            row(md, "recovered: true", r.recoveredTrue);
            row(md, "recovered: false", codes(r.recoveredFalse));
            row(md, "unsubscribed pushes", codes(r.unsubscribedPushes));
            row(md, "subscribe errors", codes(r.subscribeErrors));
            row(md, "epoch changes seen", r.epochChanges);
            row(md, "offsets never received (in unexplained gaps)", r.missedOffsets);
            row(md, "messages before a subscribe ack (dropped)", r.messagesBeforeAck);
            row(md, "messages after an unsubscribe (dropped)", r.messagesAfterUnsubscribe);
            row(md, "idempotency mismatches (a retry acked elsewhere)", r.ackMismatches);
            row(md, "content mismatches (one offset, two publications)", r.contentMismatches);
            row(md, "impossible acks (recovered: true from another epoch or behind)", r.badAcks);
            row(md, "offline pushes / false ones", r.offlinePushes + " / " + r.falseOffline);
            md.append('\n');
            if (!r.examples.isEmpty()) {
                md.append("Examples:\n\n");
                r.examples.forEach((kind, lines) -> lines.forEach(l -> md.append("- ").append(kind).append(": ").append(l).append('\n')));
                md.append('\n');
            }
        }
        md.append("## Environment\n\n");
        env.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        return md.toString();
    }

    private static void row(StringBuilder md, String what, Object value) {
        md.append("| ").append(what).append(" | ").append(value).append(" |\n");
    }

    private static String codes(Map<String, Long> m) {
        return m.isEmpty() ? "0" : m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }
}
