package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class AccountingTest {

    private static WorkerResult worker(int connected, long published, long expectedLocal, long received, Histogram h) {
        WorkerResult r = new WorkerResult();
        r.connected = connected;
        r.published = published;
        r.expectedLocal = expectedLocal;
        r.received = received;
        r.latency = Json.encode(h);
        r.cpuSeconds = 0.5;
        return r;
    }

    @Test
    void fanoutExpectsEveryPublishedMessageOncePerSubscriberOfEveryWorker() {
        // worker 0 publishes 100 and holds 30 subscribers; worker 1 publishes nothing and holds 20
        List<WorkerResult> rs = List.of(worker(30, 100, 0, 3000, Deliveries.newHistogram()),
                worker(20, 0, 0, 1990, Deliveries.newHistogram()));
        assertThat(Accounting.expected(Scenario.FANOUT, rs)).isEqualTo(5000);
        ScenarioRun run = new ScenarioRun();
        Accounting.deliveries(run, Scenario.FANOUT, rs, 10, 2.0);
        assertThat(run.expected).isEqualTo(5000);
        assertThat(run.received).isEqualTo(4990);
        assertThat(run.lost).isEqualTo(10);
        assertThat(run.deliveriesPerSecond).isEqualTo(499.0);
        assertThat(run.generatorCpuSeconds).isEqualTo(1.0);
    }

    @Test
    void roomsExpectWhatEachWorkerOwedItsOwnRooms() {
        List<WorkerResult> rs = List.of(worker(50, 40, 400, 400, Deliveries.newHistogram()),
                worker(50, 40, 400, 398, Deliveries.newHistogram()));
        assertThat(Accounting.expected(Scenario.ROOMS, rs)).isEqualTo(800);
        ScenarioRun run = new ScenarioRun();
        Accounting.deliveries(run, Scenario.ROOMS, rs, 1, 0);
        assertThat(run.lost).isEqualTo(2);
    }

    @Test
    void duplicatesShowAsNegativeLoss() {
        ScenarioRun run = new ScenarioRun();
        Accounting.deliveries(run, Scenario.FANOUT, List.of(worker(1, 10, 0, 11, Deliveries.newHistogram())), 1, 0);
        assertThat(run.lost).isEqualTo(-1);
    }

    @Test
    void percentilesComeFromTheMergedHistogramsInMilliseconds() {
        Histogram a = Deliveries.newHistogram();
        Histogram b = Deliveries.newHistogram();
        for (int i = 1; i <= 990; i++) {
            a.recordValue(1000); // 1 ms
        }
        for (int i = 1; i <= 9; i++) {
            b.recordValue(50_000); // 50 ms
        }
        b.recordValue(2_000_000); // 2 s
        ScenarioRun run = new ScenarioRun();
        Accounting.deliveries(run, Scenario.FANOUT, List.of(worker(1, 1000, 0, 990, a), worker(0, 0, 0, 10, b)), 1, 0);
        assertThat(run.p50Ms).isCloseTo(1.0, within(0.01));
        assertThat(run.p99Ms).isCloseTo(1.0, within(0.01));
        assertThat(run.p999Ms).isCloseTo(50.0, within(0.1));
        assertThat(run.maxMs).isCloseTo(2000.0, within(2.0));
        assertThat(Json.decode(run.histogram).getTotalCount()).isEqualTo(1000);
    }

    @Test
    void noDeliveriesGiveNoFiguresRatherThanZero() {
        ScenarioRun run = new ScenarioRun();
        Accounting.deliveries(run, Scenario.FANOUT, List.of(worker(5, 0, 0, 0, Deliveries.newHistogram())), 1, 3.0);
        assertThat(run.p99Ms).isNaN();
        assertThat(run.serverCpuPerMillion).isNaN();
    }

    @Test
    void cpuPerMillionDeliveries() {
        assertThat(Accounting.cpuPerMillion(3.0, 2_000_000)).isEqualTo(1.5);
        assertThat(Accounting.cpuPerMillion(0.2, 100_000)).isCloseTo(2.0, within(1e-9));
        assertThat(Accounting.cpuPerMillion(1.0, 0)).isNaN();
    }

    @Test
    void memoryPerConnectionIsTheGrowthOverTheConnections() {
        assertThat(Accounting.perConnection(100 << 20, 140 << 20, 10_240)).isEqualTo(4096.0);
        assertThat(Accounting.perConnection(1, 2, 0)).isNaN();
    }

    @Test
    void connectRateIsAllSubscribedOverTheSlowestWorker() {
        WorkerResult a = new WorkerResult();
        a.connectElapsedNanos = 2_000_000_000L;
        Histogram h = Deliveries.newHistogram();
        h.recordValue(3000);
        a.connectLatency = Json.encode(h);
        WorkerResult b = new WorkerResult();
        b.connectElapsedNanos = 1_000_000_000L;
        ScenarioRun run = new ScenarioRun();
        run.connected = 1000;
        Accounting.connects(run, List.of(a, b), 1.0);
        assertThat(run.connectsPerSecond).isEqualTo(500.0);
        assertThat(run.connectP99Ms).isCloseTo(3.0, within(0.01));
    }

    @Test
    void deliveriesOutsideTheWindowAreNotMeasured() {
        Deliveries d = new Deliveries();
        d.window(1000, 2000);
        d.record(999, 5000);   // warm-up
        d.record(1000, 1500);  // in: 500 ns -> 1 us at least
        d.record(1999, 3_001_999); // in: 3 ms
        d.record(2000, 2500);  // after the window
        assertThat(d.received()).isEqualTo(2);
        assertThat(d.outside()).isEqualTo(2);
        assertThat(d.histogram().getMaxValue()).isBetween(2990L, 3010L);
        d.stop();
        d.record(1500, 1600);
        assertThat(d.received()).isEqualTo(2);
    }

    private static ScenarioRun step(double rate, long expected, long received, double p99Ms) {
        ScenarioRun s = new ScenarioRun();
        s.offeredRate = rate;
        s.expected = expected;
        s.received = received;
        s.lost = expected - received;
        s.p99Ms = p99Ms;
        s.shortfall = Accounting.shortfall(s, 250);
        return s;
    }

    @Test
    void aStepIsSustainedOnlyWithNothingLostAndP99UnderTheLimit() {
        assertThat(step(10, 50_000, 50_000, 249.9).shortfall).isNull();
        assertThat(step(10, 50_000, 49_999, 3).shortfall).isEqualTo("lost 1 of 50000");
        assertThat(step(10, 50_000, 50_000, 250).shortfall).isEqualTo("p99 250 ms ≥ 250 ms");
        assertThat(step(10, 50_000, 50_001, 3).shortfall).isEqualTo("1 deliveries more than expected");
        assertThat(step(10, 0, 0, Double.NaN).shortfall).startsWith("nothing to deliver");
    }

    @Test
    void theHighestSustainedRateEndsAtTheFirstStepThatFellShort() {
        // 40 fails; 80 passing afterwards (a lucky step, with --capacity-keep-going) does not count
        List<ScenarioRun> steps = List.of(step(10, 100, 100, 5), step(20, 200, 200, 9), step(40, 400, 390, 9), step(80, 800, 800, 9));
        assertThat(Accounting.highestSustained(steps)).isEqualTo(20.0);
        assertThat(Accounting.everySustained(steps, 4)).isFalse();
        assertThat(Accounting.highestSustained(List.of(step(10, 100, 100, 300)))).isZero();
        assertThat(Accounting.highestSustained(List.of())).isNaN();
    }

    @Test
    void everyStepSustainedOnlyWhenAllOfferedStepsRanAndHeld() {
        List<ScenarioRun> two = List.of(step(10, 100, 100, 5), step(20, 200, 200, 9));
        assertThat(Accounting.highestSustained(two)).isEqualTo(20.0);
        assertThat(Accounting.everySustained(two, 2)).isTrue();
        assertThat(Accounting.everySustained(two, 3)).as("a step missing").isFalse();
    }

    @Test
    void aSubscriberClosedByTheServerOwesEveryMessageAfter() {
        // 10 subscribers connected at the start, 2 closed by the server before the step: 20 messages, 8 x 20 received
        WorkerResult r = worker(10, 20, 0, 160, Deliveries.newHistogram());
        r.unexpectedCloses = 2;
        r.stillOpen = 8;
        ScenarioRun run = new ScenarioRun();
        Accounting.deliveries(run, Scenario.CAPACITY, List.of(r), 1, 0.1);
        assertThat(run.expected).isEqualTo(200);
        assertThat(run.lost).isEqualTo(40);
        assertThat(run.unexpectedCloses).isEqualTo(2);
        assertThat(Accounting.shortfall(run, 250)).isEqualTo("lost 40 of 200");
        assertThat(Accounting.expected(Scenario.COLD, List.of(r))).isEqualTo(200);
    }

    @Test
    void eachWindowStartsAFreshTally() {
        Deliveries d = new Deliveries();
        d.window(1000, 2000);
        d.record(1500, 2500);
        d.stop();
        d.window(3000, 4000);
        d.record(1600, 3500); // a late delivery of the first window
        d.record(3000, 3100);
        assertThat(d.received()).isEqualTo(1);
        assertThat(d.outside()).isEqualTo(1);
        assertThat(d.histogram().getTotalCount()).isEqualTo(1);
    }

    @Test
    void deliveriesAreAlsoTalliedByTheSecondTheirMessageWasDue() {
        long s = 1_000_000_000L;
        Deliveries d = new Deliveries();
        d.window(10 * s, 20 * s);
        d.record(10 * s, 10 * s + 2_000_000); // due in second 0, 2 ms late
        d.record(10 * s + 999_999_999, 10 * s + 999_999_999 + 5_000_000); // still second 0, 5 ms late
        d.record(13 * s, 13 * s + 300_000_000); // second 3, 300 ms late; nothing due in 1 and 2
        d.record(25 * s, 25 * s + 1); // outside the window: in no second

        java.util.List<Histogram> bySecond = d.bySecond();
        assertThat(bySecond).hasSize(4);
        assertThat(bySecond.get(0).getTotalCount()).isEqualTo(2);
        assertThat(bySecond.get(1)).isNull();
        assertThat(bySecond.get(2)).isNull();
        assertThat(bySecond.get(3).getTotalCount()).isEqualTo(1);

        // two workers' seconds merge second by second into the run's p99 per second
        WorkerResult a = new WorkerResult();
        a.latencyBySecond = java.util.Arrays.asList(Json.encode(bySecond.get(0)), null, null, Json.encode(bySecond.get(3)));
        Histogram late = Deliveries.newSecondHistogram();
        late.recordValue(50_000); // 50 ms, due in second 1
        WorkerResult b = new WorkerResult();
        b.latencyBySecond = java.util.Arrays.asList(null, Json.encode(late));
        double[] p99 = Accounting.p99BySecond(List.of(a, b));
        assertThat(p99).hasSize(4);
        assertThat(p99[0]).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(p99[1]).isCloseTo(50.0, org.assertj.core.data.Offset.offset(0.5));
        assertThat(p99[2]).isNaN();
        assertThat(p99[3]).isCloseTo(300.0, org.assertj.core.data.Offset.offset(3.0));
    }

    @Test
    void capacityRatesAreRisingPositiveAndDistinct() {
        assertThat(CapacitySteps.rates(new double[] {40, 10, 0, 20, 10, -5})).containsExactly(10, 20, 40);
    }
}
