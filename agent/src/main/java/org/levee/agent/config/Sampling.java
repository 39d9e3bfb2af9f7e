package org.levee.agent.config;

/**
 * How many packets the data plane samples: a target number of samples per second, for which the
 * agent keeps adjusting N of "1 in N" to the traffic, or a fixed N.
 *
 * @param targetPerSecond samples per second to aim for; 0 when {@code fixedRate} is used
 * @param fixedRate N of "1 in N"; 0 when the rate follows {@code targetPerSecond}
 * @param maxRate the largest N the adjusting mode may choose
 */
public record Sampling(long targetPerSecond, int fixedRate, int maxRate) {

    /** Default target: enough samples to fingerprint an attack within a second, cheap to decode. */
    public static final long DEFAULT_TARGET_PER_SECOND = 2_000;

    public static final int DEFAULT_MAX_RATE = 1 << 20;

    public Sampling {
        if ((targetPerSecond > 0) == (fixedRate > 0)) {
            throw new IllegalArgumentException("sampling: give exactly one of target_per_second and rate");
        }
        if (targetPerSecond < 0 || fixedRate < 0) {
            throw new IllegalArgumentException("sampling: target_per_second and rate must be positive");
        }
        if (maxRate < 1) {
            throw new IllegalArgumentException("sampling: max_rate must be at least 1, not " + maxRate);
        }
    }

    public static Sampling target(long perSecond) {
        return new Sampling(perSecond, 0, DEFAULT_MAX_RATE);
    }

    public static Sampling fixed(int rate) {
        return new Sampling(0, rate, DEFAULT_MAX_RATE);
    }

    public boolean isFixed() {
        return fixedRate > 0;
    }

    /** The N to start with: the fixed one, or 1 until the first measurement. */
    public int initialRate() {
        return isFixed() ? fixedRate : 1;
    }
}
