package org.levee.detector;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.levee.detector.fingerprint.Selection;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Prefix;

/**
 * The numbers behind a decision, for the API and the logs.
 *
 * @param trigger what started the attack
 * @param packetsPerSecond the class's (or, at retirement, the rule's matched) estimated rate
 * @param bitsPerSecond the same in bits
 * @param threshold the configured threshold of the class for this destination
 * @param baselinePacketsPerSecond the destination's baseline for the class (0 while warming up)
 * @param triggerPacketsPerSecond the level that started the attack: the threshold, or the
 *     baseline multiple (never under the floor)
 * @param selection the fingerprint choice with coverage, baseline match and the rejected
 *     alternatives; null for decisions taken before fingerprinting
 * @param samplesPerDatacenter the attack's samples by data center
 * @param note anything else worth saying, in words
 */
public record Evidence(
        Trigger trigger,
        double packetsPerSecond,
        double bitsPerSecond,
        Threshold threshold,
        double baselinePacketsPerSecond,
        double triggerPacketsPerSecond,
        Selection selection,
        SortedMap<String, Long> samplesPerDatacenter,
        String note) {

    public Evidence {
        samplesPerDatacenter = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(samplesPerDatacenter));
    }

    /** These numbers in plain values for an attack on {@code destination} in class {@code c}. */
    public AttackEvidence toAttackEvidence(Prefix destination, TrafficClass c) {
        Selection s = selection;
        Threshold t = threshold;
        return new AttackEvidence(
                destination.toString(),
                c.name().toLowerCase(Locale.ROOT),
                trigger.name().toLowerCase(Locale.ROOT),
                packetsPerSecond,
                bitsPerSecond,
                t == null || t.packetsPerSecond() == Long.MAX_VALUE ? null : t.packetsPerSecond(),
                t == null || t.bitsPerSecond() == Long.MAX_VALUE ? null : t.bitsPerSecond(),
                baselinePacketsPerSecond,
                s == null || s.fingerprint() == null ? null : s.fingerprint().toString(),
                s == null ? null : s.coverage(),
                s == null ? null : s.baselineMatch(),
                s == null ? 0 : s.attackSamples(),
                s == null
                        ? List.of()
                        : s.rejected().stream()
                                .map(Selection.Rejected::toString)
                                .toList(),
                new TreeMap<>(Map.copyOf(samplesPerDatacenter)),
                note == null ? "" : note);
    }

    Evidence withRate(double pps, double bps, String newNote) {
        return new Evidence(
                trigger,
                pps,
                bps,
                threshold,
                baselinePacketsPerSecond,
                triggerPacketsPerSecond,
                selection,
                samplesPerDatacenter,
                newNote);
    }

    Evidence withSelection(Selection s, Map<String, Long> datacenters, String newNote) {
        return new Evidence(
                trigger,
                packetsPerSecond,
                bitsPerSecond,
                threshold,
                baselinePacketsPerSecond,
                triggerPacketsPerSecond,
                s,
                new TreeMap<>(datacenters),
                newNote);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                "trigger=%s rate=%.0f pps %.0f bps threshold=%s baseline=%.0f pps level=%.0f pps",
                trigger,
                packetsPerSecond,
                bitsPerSecond,
                threshold,
                baselinePacketsPerSecond,
                triggerPacketsPerSecond));
        if (selection != null) {
            b.append(String.format(
                    " samples=%d coverage=%.1f%% baseline-match=%.1f%% of %d",
                    selection.attackSamples(),
                    100 * selection.coverage(),
                    100 * selection.baselineMatch(),
                    selection.historySamples()));
            b.append(" fingerprint=").append(selection.fingerprint() == null ? "none" : selection.fingerprint());
            if (!selection.rejected().isEmpty()) {
                b.append(" rejected=").append(selection.rejected());
            }
        }
        if (!samplesPerDatacenter.isEmpty()) {
            b.append(" datacenters=").append(samplesPerDatacenter);
        }
        if (note != null && !note.isEmpty()) {
            b.append(" note=").append(note);
        }
        return b.toString();
    }
}
