package org.levee.detector.rate;

import org.levee.detector.sample.TrafficClass;

/**
 * Estimated packets and bits per traffic class over a sliding window of whole one-second
 * buckets plus the current, partial one. The estimate over the last {@code W} seconds counts the
 * current bucket fully and the oldest bucket in proportion to the part of it still inside the
 * window, so it moves smoothly instead of jumping at bucket boundaries. Amounts are already
 * scaled by the sampling rate (a sample at 1 in N adds N packets).
 */
public final class RateWindow {

    private static final long SECOND = 1_000_000_000L;
    private static final int CLASSES = TrafficClass.count();

    private final int seconds;
    private final int slots;
    /** Per slot and class, packets then bits next to each other: one cache line for both. */
    private final long[] amounts;

    private long bucket = Long.MIN_VALUE;

    /** A window over the last {@code seconds} seconds (at least 1). */
    public RateWindow(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("window seconds must be at least 1, not " + seconds);
        }
        this.seconds = seconds;
        // A power of two, so that a bucket's slot is a mask, not a division.
        this.slots = Integer.highestOneBit(seconds) << 1;
        this.amounts = new long[slots * CLASSES * 2];
    }

    /** The bucket (whole seconds) the window is at, or Long.MIN_VALUE before the first sample. */
    public long bucket() {
        return bucket;
    }

    /** The second a timestamp falls in. */
    public static long bucketOf(long nanos) {
        return nanos / SECOND; // timestamps are never negative
    }

    /**
     * Moves the current bucket forward to {@code target}, clearing the buckets it skips. Returns
     * how many buckets were completed (0 when {@code target} is not after the current one).
     */
    public long advanceTo(long target) {
        if (bucket == Long.MIN_VALUE) {
            bucket = target;
            return 0;
        }
        if (target <= bucket) {
            return 0;
        }
        long completed = target - bucket;
        long clear = Math.min(completed, slots);
        for (long b = target - clear + 1; b <= target; b++) {
            int base = slot(b) * CLASSES * 2;
            java.util.Arrays.fill(amounts, base, base + CLASSES * 2, 0);
        }
        bucket = target;
        return completed;
    }

    /** Adds to the current bucket (call {@link #advanceTo} first). */
    public void add(TrafficClass trafficClass, long packetCount, long bitCount) {
        int at = (slot(bucket) * CLASSES + trafficClass.ordinal()) * 2;
        amounts[at] += packetCount;
        amounts[at + 1] += bitCount;
    }

    /** Packets counted in a completed or current bucket still held by the window, else 0. */
    public long packetsIn(long second, TrafficClass trafficClass) {
        if (second > bucket || second <= bucket - slots) {
            return 0;
        }
        return amounts[(slot(second) * CLASSES + trafficClass.ordinal()) * 2];
    }

    /** Estimated packets per second at {@code nowNanos} (inside the current bucket). */
    public double packetsPerSecond(TrafficClass trafficClass, long nowNanos) {
        return estimate(0, trafficClass, nowNanos);
    }

    /** Estimated bits per second at {@code nowNanos} (inside the current bucket). */
    public double bitsPerSecond(TrafficClass trafficClass, long nowNanos) {
        return estimate(1, trafficClass, nowNanos);
    }

    private double estimate(int which, TrafficClass trafficClass, long nowNanos) {
        if (bucket == Long.MIN_VALUE) {
            return 0;
        }
        int c = trafficClass.ordinal();
        double elapsed = Math.clamp((nowNanos - bucket * SECOND) / (double) SECOND, 0.0, 1.0);
        double total = amounts[(slot(bucket) * CLASSES + c) * 2 + which];
        for (long b = bucket - seconds + 1; b < bucket; b++) {
            total += amounts[(slot(b) * CLASSES + c) * 2 + which];
        }
        total += amounts[(slot(bucket - seconds) * CLASSES + c) * 2 + which] * (1.0 - elapsed);
        return total / seconds;
    }

    private int slot(long b) {
        return (int) (b & (slots - 1));
    }
}
