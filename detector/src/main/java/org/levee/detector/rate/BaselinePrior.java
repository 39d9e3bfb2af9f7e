package org.levee.detector.rate;

import java.util.Arrays;
import org.levee.detector.sample.TrafficClass;

/**
 * What an aggregate remembers of the baselines of the hosts it forgot: per class, the highest of
 * their normal rates (decaying with the baselines' half-life from the moment each was folded in)
 * and the longest learning. A host that comes back, or a new one under the aggregate, starts
 * from it instead of from nothing: its baseline does not need another warm-up, and its attacks
 * still have their normal traffic discounted. The highest rate, not the mean: a level taken from
 * the busiest forgotten sibling can only be less sensitive than the host's own would have been,
 * never make normal traffic an anomaly.
 */
public final class BaselinePrior {

    private final double halfLifeSeconds;
    private final double[] packetsPerSecond = new double[TrafficClass.count()];
    private long learnedSeconds;
    private long second;

    public BaselinePrior(double halfLifeSeconds) {
        if (!(halfLifeSeconds > 0)) {
            throw new IllegalArgumentException("baseline half-life must be positive, not " + halfLifeSeconds);
        }
        this.halfLifeSeconds = halfLifeSeconds;
    }

    /** Folds in the baseline of a host forgotten in {@code second}. */
    public void fold(Baseline forgotten, long second) {
        if (forgotten.learnedSeconds == 0) {
            return;
        }
        decayTo(second);
        for (int c = 0; c < packetsPerSecond.length; c++) {
            packetsPerSecond[c] = Math.max(packetsPerSecond[c], forgotten.packetsPerSecond[c]);
        }
        learnedSeconds = Math.max(learnedSeconds, forgotten.learnedSeconds);
    }

    /** Starts {@code fresh} (a baseline that has learned nothing) from this prior, in {@code second}. */
    public void seed(Baseline fresh, long second) {
        if (learnedSeconds == 0 || fresh.learnedSeconds != 0) {
            return;
        }
        decayTo(second);
        System.arraycopy(packetsPerSecond, 0, fresh.packetsPerSecond, 0, packetsPerSecond.length);
        fresh.learnedSeconds = learnedSeconds;
    }

    /** How many quiet seconds the longest-learned forgotten baseline had (0: nothing folded in). */
    public long learnedSeconds() {
        return learnedSeconds;
    }

    public double packetsPerSecond(TrafficClass trafficClass) {
        return packetsPerSecond[trafficClass.ordinal()];
    }

    private void decayTo(long now) {
        if (learnedSeconds == 0) {
            Arrays.fill(packetsPerSecond, 0);
        } else if (now > second) {
            double factor = Math.pow(0.5, (now - second) / halfLifeSeconds);
            for (int c = 0; c < packetsPerSecond.length; c++) {
                packetsPerSecond[c] *= factor;
            }
        }
        second = Math.max(second, now);
    }
}
