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
