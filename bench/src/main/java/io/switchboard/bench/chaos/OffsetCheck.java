package io.switchboard.bench.chaos;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What one subscriber saw on its channel, judged against protocol.md section 10, offset by offset. The
 * subscriber keeps one position {@code (epoch, offset)} across all its subscribes, as a client that
 * recovers with {@code since} does; so a duplicate or a hole is found across reconnects too.
 *
 * <ul>
 *   <li><b>duplicate</b>: a message whose offset this subscriber already received in this epoch, or that
 *       is at or below its position without having been received (below a subscribe ack's offset, say);</li>
 *   <li><b>reordering</b>: an offset that arrives after a higher one, filling a hole left earlier;</li>
 *   <li><b>explained gap</b>: a jump of the position that the server announced: a subscribe ack with
 *       {@code recovered: false} ahead of the position, or a new epoch;</li>
 *   <li><b>unexplained gap</b>: a run of offsets skipped by a later message (or missing at the tail
 *       when the run ends) that never arrived and that nothing announced.</li>
 * </ul>
 * Not thread-safe: one subscriber uses it from the run's one client thread.
 */
final class OffsetCheck {

    /** The first anomalies, described for the report. */
    static final int EXAMPLES = 10;

    String epoch;
    long position = -1;
    private BitSet delivered = new BitSet();
    private BitSet holes = new BitSet();
    private int unexplainedBefore; // hole runs of earlier epochs
    private long missedBefore;

    long deliveries;
    long duplicates;
    long reorderings;
    long explainedGaps;
    long epochChanges;
    /** A {@code recovered: true} ack that cannot be right (another epoch, or behind the position). */
    long badAcks;
    final List<String> examples = new ArrayList<>();
    private String lastAck = "none";

    /** A subscribe ack on a channel with history. */
    void ack(String ackEpoch, long ackOffset, boolean recovered, String reason, String context) {
        lastAck = "{epoch " + ackEpoch + ", offset " + ackOffset + ", recovered " + recovered
                + (reason == null ? "" : ", reason " + reason) + "} " + context;
        if (epoch == null) {
            epoch = ackEpoch;
            position = ackOffset;
            return;
        }
        if (recovered) {
            if (!ackEpoch.equals(epoch) || ackOffset < position) {
                badAcks++;
                example("recovered:true ack " + lastAck + " does not fit position " + epoch + "/" + position);
                newEpochOrJump(ackEpoch, ackOffset);
            }
            return;
        }
        if (!ackEpoch.equals(epoch)) {
            newEpochOrJump(ackEpoch, ackOffset);
        } else if (ackOffset > position) {
            explainedGaps++;
            position = ackOffset;
        } else if (ackOffset < position) {
            badAcks++;
            example("ack " + lastAck + " is behind position " + position + " in the same epoch");
        }
    }

    private void newEpochOrJump(String ackEpoch, long ackOffset) {
        if (!ackEpoch.equals(epoch)) {
            epochChanges++;
            retireEpoch(ackEpoch);
        }
        explainedGaps++;
        position = Math.max(position, ackOffset);
    }

    private void retireEpoch(String next) {
        unexplainedBefore += runs(holes);
        missedBefore += holes.cardinality();
        holes = new BitSet();
        delivered = new BitSet();
        epoch = next;
        position = 0;
    }

    /** A {@code message} push received while subscribed. */
    void message(String msgEpoch, long offset) {
        deliveries++;
        if (!msgEpoch.equals(epoch)) {
            // protocol.md 10.2: a lost stream restarts at offset 1 in a new epoch, without notice.
            epochChanges++;
            explainedGaps++;
            retireEpoch(msgEpoch);
            position = offset - 1;
        }
        int o = (int) offset;
        if (delivered.get(o)) {
            duplicates++;
            example("offset " + offset + " delivered again (position " + position + ", last ack " + lastAck + ")");
        } else if (holes.get(o)) {
            reorderings++;
            holes.clear(o);
            delivered.set(o);
            example("offset " + offset + " arrived after a higher one (position " + position + ")");
        } else if (offset <= position) {
            duplicates++;
            delivered.set(o);
            example("offset " + offset + " is at or below the position " + position + " (last ack " + lastAck + ")");
        } else {
            if (offset > position + 1) {
                holes.set((int) position + 1, o);
            }
            delivered.set(o);
            position = offset;
        }
    }

    /** At the end of the run: offsets after the position up to the channel's last one never arrived. */
    void end(String lastEpoch, long lastOffset) {
        if (lastEpoch.equals(epoch) && lastOffset > position) {
            holes.set((int) position + 1, (int) lastOffset + 1);
            example("ended at offset " + position + " of " + lastOffset);
            position = lastOffset;
        }
    }

    /** Runs of offsets that were skipped and never delivered. */
    int unexplainedGaps() {
        return unexplainedBefore + runs(holes);
    }

    long missedOffsets() {
        return missedBefore + holes.cardinality();
    }

    String holesDescription() {
        return holes.toString();
    }

    private void example(String what) {
        if (examples.size() < EXAMPLES) {
            examples.add(what);
        }
    }

    static int runs(BitSet b) {
        int runs = 0;
        for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(b.nextClearBit(i))) {
            runs++;
        }
        return runs;
    }
}
