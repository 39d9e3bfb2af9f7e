package org.levee.store.etcd;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with a cap and jitter, for retry loops: the n-th delay after a failure is
 * about initial × 2ⁿ, never above the cap, spread over ±20 % so that a thousand clients cut off
 * together do not come back together.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    /** The delay before the next attempt; each call doubles the following one up to the cap. */
    public Duration next() {
        long base = initial.toNanos() << Math.min(failures, 30);
        if (base <= 0 || base > max.toNanos()) {
            base = max.toNanos();
        }
        failures++;
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (base * jitter));
    }

    /** After a success: the next failure starts again from the initial delay. */
    public void reset() {
        failures = 0;
    }

    /** Failures since the last reset. */
    public int failures() {
        return failures;
    }
}
