package org.levee.detector.fingerprint;

import java.util.List;

/**
 * The outcome of fingerprinting one attack, with its evidence.
 *
 * @param fingerprint the chosen fingerprint, or null when none covers the attack and spares the
 *     destination's normal traffic
 * @param coverage the share of the attack's samples the chosen fingerprint matches (estimated
 *     over the reservoir, after discounting the baseline's expected legitimate samples)
 * @param baselineMatch the share of the destination's pre-attack samples it matches
 * @param attackSamples attack samples seen
 * @param historySamples pre-attack samples it was checked against
 * @param rejected the alternatives considered and why each was rejected, most specific first
 */
public record Selection(
        Fingerprint fingerprint,
        double coverage,
        double baselineMatch,
        long attackSamples,
        int historySamples,
        List<Rejected> rejected) {

    public Selection {
        rejected = List.copyOf(rejected);
    }

    /**
     * An alternative that was not chosen.
     *
     * @param candidate what it was (a fingerprint, or a field and its top value)
     * @param reason why it lost, with the numbers
     */
    public record Rejected(String candidate, String reason) {
        @Override
        public String toString() {
            return candidate + ": " + reason;
        }
    }
}
