package org.levee.rules;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Why the detector made a rule, in plain values that outlive the detector: stored with the rule
 * (state file, etcd) and served by the API, in the JSON fields {@link StoredRuleCodec} writes
 * (the snake_case names of these components). The detector makes it
 * ({@code Decision.attackEvidence()}); a controller that takes over reads the attacked
 * destination and traffic class back from it to adopt the rule.
 *
 * @param destination the host or aggregate attacked
 * @param trafficClass the traffic class of the attack ({@code udp}, {@code tcp_syn}, …)
 * @param trigger {@code threshold} or {@code baseline}
 * @param packetsPerSecond the estimated attack rate when decided
 * @param bitsPerSecond the same in bits
 * @param thresholdPacketsPerSecond the configured threshold (null: none)
 * @param thresholdBitsPerSecond the configured threshold in bits (null: none)
 * @param baselinePacketsPerSecond the destination's normal rate for the class
 * @param fingerprint the chosen fingerprint, or null
 * @param coverage share of the attack's samples the fingerprint matches, or null
 * @param baselineMatch share of normal samples it matches, or null
 * @param attackSamples samples of the attack seen when deciding
 * @param rejected alternatives that were not chosen, and why
 * @param samplesPerDatacenter the attack's samples by data center
 * @param note the detector's words
 */
public record AttackEvidence(
        String destination,
        String trafficClass,
        String trigger,
        double packetsPerSecond,
        double bitsPerSecond,
        Long thresholdPacketsPerSecond,
        Long thresholdBitsPerSecond,
        double baselinePacketsPerSecond,
        String fingerprint,
        Double coverage,
        Double baselineMatch,
        long attackSamples,
        List<String> rejected,
        SortedMap<String, Long> samplesPerDatacenter,
        String note) {

    public AttackEvidence {
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
        samplesPerDatacenter = samplesPerDatacenter == null ? new TreeMap<>() : new TreeMap<>(samplesPerDatacenter);
    }
}
