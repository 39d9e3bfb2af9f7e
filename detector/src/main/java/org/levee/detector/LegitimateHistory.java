package org.levee.detector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.Sample;

/**
 * The legitimate traffic of the last {@value #SECONDS} seconds, for the rule guard: the samples no
 * attack claimed. Each second keeps a uniform subset of at most {@code perSecond} of its samples
 * (reservoir sampling) and the packets all of them stood for, so memory is bounded by
 * {@code SECONDS × perSecond} samples whatever the rate, and each kept sample stands for its
 * share of its second's packets. Not thread-safe: the detector's thread writes it, and a copy
 * ({@link #snapshot}) is what other threads read.
 */
final class LegitimateHistory {

    /** How far back the history goes. */
    static final int SECONDS = 60;

    private final int perSecond;
    private final SplittableRandom random;
    private final Sample[][] kept;
    private final int[] keptCount;
    private final long[] seen;
    private final double[] packets;
    private final long[] secondOf;

    LegitimateHistory(int perSecond, long seed) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be at least 1, not " + perSecond);
        }
        this.perSecond = perSecond;
        this.random = new SplittableRandom(seed);
        this.kept = new Sample[SECONDS][];
        this.keptCount = new int[SECONDS];
        this.seen = new long[SECONDS];
        this.packets = new double[SECONDS];
        this.secondOf = new long[SECONDS];
        java.util.Arrays.fill(secondOf, Long.MIN_VALUE);
    }

    /** Adds a sample no attack claimed, at its own time. */
    void add(Sample sample) {
        long second = Math.floorDiv(sample.timestampNanos(), 1_000_000_000L);
        int slot = (int) Math.floorMod(second, (long) SECONDS);
        if (secondOf[slot] != second) {
            secondOf[slot] = second;
            if (kept[slot] == null) {
                kept[slot] = new Sample[perSecond];
            }
            java.util.Arrays.fill(kept[slot], null);
            keptCount[slot] = 0;
            seen[slot] = 0;
            packets[slot] = 0;
        }
        seen[slot]++;
        packets[slot] += sample.samplingRate();
        if (keptCount[slot] < perSecond) {
            kept[slot][keptCount[slot]++] = sample;
        } else {
            long at = random.nextLong(seen[slot]);
            if (at < perSecond) {
                kept[slot][(int) at] = sample;
            }
        }
    }

    /** The kept samples of the {@value #SECONDS} seconds up to {@code nowNanos}, weighted. */
    LegitimateTraffic snapshot(long nowNanos) {
        long now = Math.floorDiv(nowNanos, 1_000_000_000L);
        List<LegitimateTraffic.Weighted> out = new ArrayList<>();
        for (int slot = 0; slot < SECONDS; slot++) {
            if (secondOf[slot] == Long.MIN_VALUE
                    || secondOf[slot] <= now - SECONDS
                    || secondOf[slot] > now
                    || keptCount[slot] == 0) {
                continue;
            }
            double weight = packets[slot] / keptCount[slot];
            for (int i = 0; i < keptCount[slot]; i++) {
                out.add(new LegitimateTraffic.Weighted(kept[slot][i], weight));
            }
        }
        return new LegitimateTraffic(out, Duration.ofSeconds(SECONDS));
    }
}
