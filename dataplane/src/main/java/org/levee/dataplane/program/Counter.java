package org.levee.dataplane.program;

import java.util.Locale;

/**
 * The program's global counters: one 64-bit slot each in the per-CPU value of
 * {@code levee_counters}. Every packet counts once in exactly one of {@code passed},
 * {@code dropped}, {@code ratelimited}; {@code sampled} and {@code samples_lost} count sampler
 * outcomes.
 */
public enum Counter {
    /**
     * Every packet: the sum of {@link #PASSED}, {@link #DROPPED} and {@link #RATELIMITED}, which
     * the readers compute ({@code Status.sumCounters}). The program leaves its slot at 0: an
     * increment per packet that only repeats the exits' counts is not worth its cost on the
     * packet path.
     */
    SEEN,
    PASSED,
    DROPPED,
    RATELIMITED,
    SAMPLED,
    SAMPLES_LOST;

    /** Byte offset of this counter in the map value. */
    public int offset() {
        return ordinal() * 8;
    }

    /** The name in status output. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Size of the map value holding all counters. */
    public static int valueSize() {
        return values().length * 8;
    }
}
