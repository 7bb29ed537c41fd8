package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class CompareTest {

    /** A process's CPU seconds that grows by {@code busy[i]} of a core over the i-th step of {@code stepMillis}. */
    private static DoubleSupplier cpu(AtomicInteger reads, long stepMillis, double... busy) {
        double[] total = {0};
        return () -> {
            int i = reads.getAndIncrement();
            if (i > 0) {
                total[0] += busy[Math.min(i - 1, busy.length - 1)] * stepMillis / 1000.0;
            }
            return total[0];
        };
    }

    @Test
    void theServerIsQuietAtTheFirstStepUnderThreePerCentOfACore() throws InterruptedException {
        AtomicInteger reads = new AtomicInteger();
        // half a core, a whole one, 5 %, then 2 %: the fourth step is the first under 3 %
        double quiet = Compare.awaitQuiet(cpu(reads, 20, 0.5, 1.0, 0.05, 0.02, 0.0), 10, 20);

        assertThat(quiet).isGreaterThan(0).isLessThan(5);
        assertThat(reads.get()).isEqualTo(5); // the first reading, then one per step
    }

    @Test
    void aServerStillBusyWhenTheWaitEndsGivesMinusOne() throws InterruptedException {
        AtomicInteger reads = new AtomicInteger();
        double quiet = Compare.awaitQuiet(cpu(reads, 20, 0.031), 0.2, 20);

        assertThat(quiet).isEqualTo(-1);
        assertThat(reads.get()).isGreaterThan(2);
    }

    @Test
    void repeatedRunsTakeTurnsAtGoingFirst() {
        java.util.List<Target> given = java.util.List.of(Target.SWITCHBOARD, Target.WS, Target.SOCKETIO);
        assertThat(Compare.order(given, 1)).containsExactly(Target.SWITCHBOARD, Target.WS, Target.SOCKETIO);
        assertThat(Compare.order(given, 2)).containsExactly(Target.SOCKETIO, Target.WS, Target.SWITCHBOARD);
        assertThat(Compare.order(given, 3)).isEqualTo(Compare.order(given, 1));
        assertThat(given).containsExactly(Target.SWITCHBOARD, Target.WS, Target.SOCKETIO); // the given list is left alone
    }

    @Test
    void theWarmUpIsReadFromWhatTheNodeLogged() {
        assertThat(Compare.warmUpSessions("12:00:00.000 INFO  SwitchboardServer - listening on 127.0.0.1:8080\n")).isEqualTo("0");
        assertThat(Compare.warmUpSessions("12:00:00.000 INFO  WarmUp - warming up: 3000 sessions on a throwaway loopback node"
                + " before the node starts\n12:00:03.000 INFO  WarmUp - warmed up: 3000 sessions in 3000 ms\n")).isEqualTo("3000");
        // a log appended to by a second start: the last one counts
        assertThat(Compare.warmUpSessions("warming up: 3000 sessions ...\nwarming up: 50 sessions ...\n")).isEqualTo("50");
    }
}
