package org.levee.detector;

/**
 * The detector's heap bound that docs/security.md ("Bounded memory") documents, as the tests
 * check it, and how they measure the heap: used heap after full collections ({@link System#gc},
 * then {@code Runtime.totalMemory() − freeMemory()}, the figure the MemoryMXBean reports as heap
 * used; the test module does not read java.management), minus the same reading before the
 * detector was made. What is left is
 * what the detector keeps reachable (the test's own arrays are made before the first reading).
 *
 * <p>The bound: {@value #FIXED_BYTES} bytes (the newcomer sketch, 768 KiB, and the rest), plus
 * per tracked destination {@value #DESTINATION_BYTES} bytes (its objects and its share of the
 * tables' slots, which never shrink) and {@value #SAMPLE_BYTES} bytes for each sample its history
 * keeps (a packet of at most {@link Detector#MAX_SAMPLE_BYTES} bytes, the array's header and the
 * {@code Sample}), plus per attack being fingerprinted {@value #FINGERPRINTING_ATTACK_BYTES}
 * bytes and per attack under a rule {@value #MITIGATED_ATTACK_BYTES}.
 */
final class MemoryBound {
    private MemoryBound() {}

    static final long FIXED_BYTES = 1 << 20;
    static final long DESTINATION_BYTES = 2048;
    static final long SAMPLE_BYTES = 320;
    static final long FINGERPRINTING_ATTACK_BYTES = 512 * 1024;
    static final long MITIGATED_ATTACK_BYTES = 4096;

    /** Samples a destination's history keeps at most: the settled ones and two seconds waiting. */
    static int historySamples(DetectorConfig config) {
        return config.historySamples() + 2 * config.historySamplesPerSecond();
    }

    /**
     * The bound with every destination's history full (regular traffic to each for
     * {@code historySamples / historySamplesPerSecond} seconds), no attack.
     */
    static long fullHistoriesBytes(DetectorConfig config) {
        return FIXED_BYTES
                + config.maxTrackedDestinations() * (DESTINATION_BYTES + historySamples(config) * SAMPLE_BYTES);
    }

    /**
     * The bound when a spoofed flood fills the table: a destination it brings keeps the samples
     * of the seconds it was seen in, at most {@code 2 × historySamplesPerSecond} unless it is
     * seen for three seconds or more (then it is regular traffic: {@link #fullHistoriesBytes}).
     */
    static long floodBytes(DetectorConfig config, int fingerprinting, int mitigated) {
        return FIXED_BYTES
                + config.maxTrackedDestinations()
                        * (DESTINATION_BYTES + 2L * config.historySamplesPerSecond() * SAMPLE_BYTES)
                + fingerprinting * FINGERPRINTING_ATTACK_BYTES
                + mitigated * MITIGATED_ATTACK_BYTES;
    }

    /** Heap in use after full collections: what is reachable. */
    static long heapUsedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        // Collections until the reading stops falling: finalisation and reference processing can
        // free more in a second round.
        for (int i = 0; i < 4; i++) {
            System.gc();
            long now = runtime.totalMemory() - runtime.freeMemory();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }
}
