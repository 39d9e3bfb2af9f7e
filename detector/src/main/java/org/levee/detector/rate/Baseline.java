package org.levee.detector.rate;

import org.levee.detector.sample.TrafficClass;

/**
 * A destination's normal packet rate per class: an exponentially weighted moving average of
 * completed one-second buckets. The caller feeds it only quiet seconds (no attack under way, no
 * threshold or anomaly crossed), so it never learns an attack as normal.
 */
public final class Baseline {

    private final double alpha;
    final double[] packetsPerSecond = new double[TrafficClass.count()];
    long learnedSeconds;

    /** A baseline whose weight of a second halves every {@code halfLifeSeconds} seconds. */
    public Baseline(double halfLifeSeconds) {
        if (!(halfLifeSeconds > 0)) {
            throw new IllegalArgumentException("baseline half-life must be positive, not " + halfLifeSeconds);
        }
        this.alpha = 1 - Math.pow(0.5, 1 / halfLifeSeconds);
    }

    /** Learns one quiet second; {@code packets[c]} is class c's packet count in it. */
    public void learn(long[] packets) {
        for (int c = 0; c < packetsPerSecond.length; c++) {
            // A plain running mean until the average has as much history as its half-life:
            // starting the average from one noisy second would take many half-lives to forget.
            double weight = Math.max(alpha, 1.0 / (learnedSeconds + 1));
            packetsPerSecond[c] += weight * (packets[c] - packetsPerSecond[c]);
        }
        learnedSeconds++;
    }

    public double packetsPerSecond(TrafficClass trafficClass) {
        return packetsPerSecond[trafficClass.ordinal()];
    }

    /** How many quiet seconds it has learned: a baseline is trusted after a warm-up. */
    public long learnedSeconds() {
        return learnedSeconds;
    }
}
