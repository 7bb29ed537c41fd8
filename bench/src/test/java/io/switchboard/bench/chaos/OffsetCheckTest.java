package io.switchboard.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The chaos command's judge of one subscriber's offsets: each anomaly is counted, and nothing else is. */
class OffsetCheckTest {

    @Test
    void aCleanStreamWithARecoveryHasNoAnomaly() {
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 3, false, null, "");
        c.message("E", 4);
        c.message("E", 5);
        c.ack("E", 8, true, null, ""); // since 5: 6, 7, 8 follow
        for (long o = 6; o <= 10; o++) {
            c.message("E", o);
        }
        c.end("E", 10);
        assertThat(c.deliveries).isEqualTo(7);
        assertThat(c.duplicates + c.reorderings + c.unexplainedGaps() + c.explainedGaps + c.badAcks).isZero();
    }

    @Test
    void recoveredOffsetsDeliveredAgainAreDuplicates() {
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 0, false, null, "");
        c.message("E", 1);
        c.ack("E", 4, true, null, "");
        for (long o : new long[] {2, 3, 4, 3, 4, 5}) {
            c.message("E", o);
        }
        assertThat(c.duplicates).isEqualTo(2);
        assertThat(c.unexplainedGaps()).isZero();
    }

    @Test
    void theAcksOwnOffsetAfterAPlainSubscribeIsADuplicate() {
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 7, false, null, "");
        c.message("E", 7);
        c.message("E", 8);
        assertThat(c.duplicates).isEqualTo(1);
    }

    @Test
    void aHoleThatIsFilledLaterIsAReorderingAndOneNeverFilledIsAnUnexplainedGap() {
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 0, false, null, "");
        c.message("E", 1);
        c.message("E", 3); // 2 skipped
        c.message("E", 2); // ... and filled
        c.message("E", 6); // 4, 5 skipped for good
        c.message("E", 7);
        c.message("E", 9); // 8 skipped for good
        assertThat(c.reorderings).isEqualTo(1);
        assertThat(c.unexplainedGaps()).isEqualTo(2);
        assertThat(c.missedOffsets()).isEqualTo(3);
        assertThat(c.duplicates).isZero();
    }

    @Test
    void theHoleOfTheIssueIsUnexplainedEvenAfterARecoveredResubscribe() {
        // issue 12: 909, then 911, unsubscribed, resubscribe since 911 answered recovered:true; 910 never came.
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 908, false, null, "");
        c.message("E", 909);
        c.message("E", 911);
        c.ack("E", 911, true, null, "");
        c.message("E", 912);
        c.end("E", 912);
        assertThat(c.unexplainedGaps()).isEqualTo(1);
        assertThat(c.holesDescription()).isEqualTo("{910}");
    }

    @Test
    void jumpsTheServerAnnouncedAreExplainedGaps() {
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 0, false, null, "");
        c.message("E", 1);
        c.ack("E", 50, false, "too_many", ""); // 2..50 announced lost
        c.message("E", 51);
        c.ack("F", 3, false, "epoch_changed", ""); // a new stream
        c.message("F", 4);
        c.message("G", 1); // a lost stream restarts without notice (protocol.md 10.2)
        c.message("G", 2);
        c.end("G", 2);
        assertThat(c.explainedGaps).isEqualTo(3);
        assertThat(c.epochChanges).isEqualTo(2);
        assertThat(c.unexplainedGaps() + c.duplicates + c.reorderings + c.badAcks).isZero();
    }

    @Test
    void aRecoveredTrueFromAnotherEpochIsImpossible() {
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 5, false, null, "");
        c.ack("F", 5, true, null, "");
        assertThat(c.badAcks).isEqualTo(1);
    }

    @Test
    void offsetsMissingAtTheEndAreAnUnexplainedGap() {
        OffsetCheck c = new OffsetCheck();
        c.ack("E", 0, false, null, "");
        c.message("E", 1);
        c.end("E", 4);
        assertThat(c.unexplainedGaps()).isEqualTo(1);
        assertThat(c.missedOffsets()).isEqualTo(3);
    }
}
