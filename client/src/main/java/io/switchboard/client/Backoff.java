package io.switchboard.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the delay before attempt {@code n} (counted from 0 since the last
 * stable connection) is uniform in {@code [0, min(max, min * 2^n))}. Full jitter spreads a crowd of clients
 * that lost the same server evenly over the window instead of sending them back in waves. Immutable.
 */
public final class Backoff {

    private final long minMillis;
    private final long maxMillis;

    public Backoff(Duration min, Duration max) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("need 0 < min <= max, got min " + min + ", max " + max);
        }
        this.minMillis = min.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** The upper bound of the delay before attempt {@code attempt}: {@code min(max, min * 2^attempt)}. */
    public long ceilingMillis(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0");
        }
        if (attempt >= 62 || minMillis > (maxMillis >> Math.min(attempt, 62))) {
            return maxMillis;
        }
        return Math.min(maxMillis, minMillis << attempt);
    }

    /** A random delay in {@code [0, ceilingMillis(attempt))} drawn from {@code random}. */
    public long delayMillis(int attempt, RandomGenerator random) {
        return (long) (random.nextDouble() * ceilingMillis(attempt));
    }

    public Duration min() {
        return Duration.ofMillis(minMillis);
    }

    public Duration max() {
        return Duration.ofMillis(maxMillis);
    }
}
