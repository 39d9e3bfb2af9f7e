package org.levee.agent.rules;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.levee.detector.Decision;
import org.levee.detector.Evidence;
import org.levee.detector.Threshold;
import org.levee.detector.fingerprint.Selection;

/**
 * Why the detector made a rule, in plain values that outlive the detector (stored with the rule,
 * served by the API).
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

    /** The evidence of one detector decision. */
    public static AttackEvidence of(Decision decision) {
        Evidence e = decision.evidence();
        Selection s = e.selection();
        Threshold t = e.threshold();
        return new AttackEvidence(
                decision.destination().toString(),
                decision.trafficClass().name().toLowerCase(java.util.Locale.ROOT),
                e.trigger().name().toLowerCase(java.util.Locale.ROOT),
                e.packetsPerSecond(),
                e.bitsPerSecond(),
                t == null || t.packetsPerSecond() == Long.MAX_VALUE ? null : t.packetsPerSecond(),
                t == null || t.bitsPerSecond() == Long.MAX_VALUE ? null : t.bitsPerSecond(),
                e.baselinePacketsPerSecond(),
                s == null || s.fingerprint() == null ? null : s.fingerprint().toString(),
                s == null ? null : s.coverage(),
                s == null ? null : s.baselineMatch(),
                s == null ? 0 : s.attackSamples(),
                s == null ? List.of() : s.rejected().stream().map(Selection.Rejected::toString).toList(),
                new TreeMap<>(Map.copyOf(e.samplesPerDatacenter())),
                e.note() == null ? "" : e.note());
    }
}
