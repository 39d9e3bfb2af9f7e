package org.levee.dataplane;

import java.util.Map;
import java.util.TreeMap;

/**
 * The data plane's counters, summed over CPUs, since the program's maps were created (they
 * survive program swaps and agent restarts).
 *
 * @param seen packets the program saw
 * @param passed packets it let through
 * @param dropped packets dropped by drop rules
 * @param ratelimited packets dropped by rate limits
 * @param sampled samples written to the ring buffer
 * @param samplesLost samples lost because the ring buffer was full
 * @param rules per-rule packets and bytes, by rule id
 */
public record Counters(
        long seen,
        long passed,
        long dropped,
        long ratelimited,
        long sampled,
        long samplesLost,
        Map<String, RuleCounters> rules) {

    public Counters {
        rules = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(rules));
    }

    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, Map.of());

    /** The counters of rule {@code id}, zero when it has matched nothing yet. */
    public RuleCounters rule(String id) {
        return rules.getOrDefault(id, RuleCounters.ZERO);
    }

    /**
     * Packets and bytes of one rule: packets whose first matching rule it was.
     */
    public record RuleCounters(long packets, long bytes) {
        public static final RuleCounters ZERO = new RuleCounters(0, 0);
    }
}
