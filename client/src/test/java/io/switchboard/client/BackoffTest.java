package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(20));

    @Test
    void ceilingDoublesFromTheMinimumUpToTheMaximum() {
        assertThat(backoff.ceilingMillis(0)).isEqualTo(500);
        assertThat(backoff.ceilingMillis(1)).isEqualTo(1000);
        assertThat(backoff.ceilingMillis(5)).isEqualTo(16_000);
        assertThat(backoff.ceilingMillis(6)).isEqualTo(20_000);
        assertThat(backoff.ceilingMillis(61)).isEqualTo(20_000);
        assertThat(backoff.ceilingMillis(1_000)).isEqualTo(20_000); // no overflow into a negative or tiny delay
    }

    @Test
    void delaysAreFullJitterWithinTheCeiling() {
        Random r = new Random(7);
        for (int attempt = 0; attempt < 12; attempt++) {
            long ceiling = backoff.ceilingMillis(attempt);
            long min = Long.MAX_VALUE;
            long max = 0;
            double sum = 0;
            int n = 2_000;
            for (int i = 0; i < n; i++) {
                long d = backoff.delayMillis(attempt, r);
                assertThat(d).isBetween(0L, ceiling - 1);
                min = Math.min(min, d);
                max = Math.max(max, d);
                sum += d;
            }
            // Full jitter: the whole window is used, not just its top (as with "equal jitter") or one point.
            assertThat(min).as("attempt %d", attempt).isLessThan(ceiling / 20);
            assertThat(max).as("attempt %d", attempt).isGreaterThan(ceiling * 19 / 20);
            assertThat(sum / n).as("mean of attempt %d", attempt).isBetween(ceiling * 0.45, ceiling * 0.55);
        }
    }

    @Test
    void rejectsNonsenseBounds() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
