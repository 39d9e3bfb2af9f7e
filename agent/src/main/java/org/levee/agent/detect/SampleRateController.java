package org.levee.agent.detect;

import org.levee.agent.config.Sampling;

/**
 * Chooses N of "1 in N" so that about {@code targetPerSecond} samples arrive: N = packets per
 * second / target, rounded up. Changes smaller than a quarter are ignored, so N does not jitter
 * with the traffic's noise.
 */
public final class SampleRateController {
    private final Sampling sampling;

    public SampleRateController(Sampling sampling) {
        this.sampling = sampling;
    }

    /**
     * How often a loop may call {@link #quickRaise}: a flood that arrives all at once would
     * otherwise be sampled at the quiet traffic's N for up to {@link #INTERVAL_NANOS}.
     */
    public static final long QUICK_INTERVAL_NANOS = 250_000_000L;
    /** How often a loop calls {@link #next}. */
    public static final long INTERVAL_NANOS = 2_000_000_000L;

    /**
     * A larger N right away when the traffic would give at least four times the target at the
     * current N (a flood just began), or {@code current} when it would not. Lowering N waits for
     * {@link #next}: a quiet second in a flood must not flood the sample path again.
     */
    public int quickRaise(int current, double packetsPerSecond) {
        if (sampling.isFixed() || packetsPerSecond / current < 4.0 * sampling.targetPerSecond()) {
            return current;
        }
        return Math.max(current, next(current, packetsPerSecond));
    }

    /**
     * The N to use next.
     *
     * @param current the N in use
     * @param packetsPerSecond the packet rate the program saw since the last decision
     */
    public int next(int current, double packetsPerSecond) {
        if (sampling.isFixed()) {
            return sampling.fixedRate();
        }
        double wanted = Math.ceil(packetsPerSecond / sampling.targetPerSecond());
        int n = (int) Math.max(1, Math.min(sampling.maxRate(), wanted));
        if (Math.abs(n - current) <= current / 4.0 && n != 1) {
            return current;
        }
        return n;
    }
}
