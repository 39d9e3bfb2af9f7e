package org.levee.detector.fingerprint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.TrafficClass;

/**
 * Chooses an attack's fingerprint: the most specific combination of field values that covers at
 * least the coverage target of the attack's samples and matches at most the allowed share of the
 * destination's samples from before the attack.
 *
 * <ol>
 *   <li>A field is a candidate only if one value dominates it: its guaranteed count in the
 *       field's sketch reaches the coverage target. Spread fields (spoofed sources, random ports,
 *       random subdomains, random IP IDs) drop out here, with the reason recorded.
 *   <li>Every combination of dominant values is scored on the reservoir by how many samples
 *       carry all of them together.
 *   <li>Combinations reaching the target are tried from most specific (most fields) down; the
 *       first that matches few enough pre-attack samples wins. The class alone is the least
 *       specific combination; when even that matches too much normal traffic, there is no
 *       fingerprint.
 * </ol>
 */
public final class FingerprintSelector {

    /** How many rejected alternatives a selection keeps as evidence. */
    public static final int MAX_REJECTED = 12;

    private static final Field[] FIELDS = Field.values();

    private final double coverageTarget;
    private final double maxBaselineMatch;

    public FingerprintSelector(double coverageTarget, double maxBaselineMatch) {
        if (!(coverageTarget > 0 && coverageTarget <= 1)) {
            throw new IllegalArgumentException("coverage target must be in (0, 1], not " + coverageTarget);
        }
        if (!(maxBaselineMatch >= 0 && maxBaselineMatch < 1)) {
            throw new IllegalArgumentException("baseline match must be in [0, 1), not " + maxBaselineMatch);
        }
        this.coverageTarget = coverageTarget;
        this.maxBaselineMatch = maxBaselineMatch;
    }

    /**
     * @param attack the attack's samples
     * @param trafficClass the class the attack was detected in
     * @param ipVersion the destination's IP version
     * @param history the destination's samples from quiet periods before the attack
     * @param expectedLegitimate how many of the attack's samples the baseline says are normal
     *     traffic; they are discounted from coverage (at most half of the samples)
     */
    public Selection select(
            AttackSamples attack,
            TrafficClass trafficClass,
            int ipVersion,
            List<DecodedPacket> history,
            double expectedLegitimate) {
        long n = attack.seen();
        double effective = Math.max(n - expectedLegitimate, n / 2.0);
        List<Selection.Rejected> rejected = new ArrayList<>();
        int rejectedOthers = 0;

        List<Field> dominant = new ArrayList<>();
        List<Object> dominantValues = new ArrayList<>();
        for (Field field : FIELDS) {
            SpaceSaving.Entry<Object> top = attack.top(field);
            if (top == null) {
                continue;
            }
            double share = Math.min(1.0, top.guaranteed() / effective);
            if (share >= coverageTarget) {
                dominant.add(field);
                dominantValues.add(top.value());
            } else if (rejected.size() < MAX_REJECTED) {
                rejected.add(new Selection.Rejected(
                        field.name().toLowerCase() + "=" + field.format(top.value()),
                        String.format(
                                "spread: its most common value covers only %.1f%% of %d samples", 100 * share, n)));
            }
        }

        // Count how the reservoir's samples agree with the dominant values, as bit masks.
        List<DecodedPacket> reservoir = attack.reservoir();
        Map<Integer, Integer> maskCounts = new HashMap<>();
        for (DecodedPacket p : reservoir) {
            int mask = 0;
            for (int i = 0; i < dominant.size(); i++) {
                if (dominantValues.get(i).equals(dominant.get(i).valueOf(p))) {
                    mask |= 1 << i;
                }
            }
            maskCounts.merge(mask, 1, Integer::sum);
        }
        double scale = reservoir.isEmpty() ? 0 : (double) n / effective / reservoir.size();

        record Candidate(int mask, int fields, double coverage) {}
        List<Candidate> candidates = new ArrayList<>();
        for (int s = 0; s < 1 << dominant.size(); s++) {
            if (!consistent(s, dominant, dominantValues, trafficClass)) {
                continue;
            }
            long together = 0;
            for (Map.Entry<Integer, Integer> e : maskCounts.entrySet()) {
                if ((e.getKey() & s) == s) {
                    together += e.getValue();
                }
            }
            double coverage = Math.min(1.0, together * scale);
            if (coverage >= coverageTarget) {
                candidates.add(new Candidate(s, Integer.bitCount(s), coverage));
            }
        }
        candidates.sort(Comparator.comparingInt(Candidate::fields)
                .reversed()
                .thenComparing(Comparator.comparingDouble(Candidate::coverage).reversed())
                .thenComparingInt(Candidate::mask));

        for (Candidate c : candidates) {
            Map<Field, Object> values = new EnumMap<>(Field.class);
            for (int i = 0; i < dominant.size(); i++) {
                if ((c.mask() & (1 << i)) != 0) {
                    values.put(dominant.get(i), dominantValues.get(i));
                }
            }
            Fingerprint fingerprint = new Fingerprint(trafficClass, ipVersion, values);
            long matched = history.stream().filter(fingerprint::matches).count();
            double baselineMatch = history.isEmpty() ? 0 : (double) matched / history.size();
            if (baselineMatch <= maxBaselineMatch) {
                if (rejectedOthers > 0) {
                    rejected.add(new Selection.Rejected(
                            rejectedOthers + " more candidates", "also matched too much pre-attack traffic"));
                }
                return new Selection(fingerprint, c.coverage(), baselineMatch, n, history.size(), rejected);
            }
            if (rejected.size() < MAX_REJECTED) {
                rejected.add(new Selection.Rejected(
                        fingerprint.toString(),
                        String.format(
                                "covers %.1f%% of the attack but also %d of %d pre-attack samples (%.1f%% > %.1f%%)",
                                100 * c.coverage(),
                                matched,
                                history.size(),
                                100 * baselineMatch,
                                100 * maxBaselineMatch)));
            } else {
                rejectedOthers++;
            }
        }
        if (rejectedOthers > 0) {
            rejected.add(new Selection.Rejected(
                    rejectedOthers + " more candidates", "also matched too much pre-attack traffic"));
        }
        return new Selection(null, 0, 0, n, history.size(), rejected);
    }

    /**
     * Whether a combination can become a rule: transport fields need a fixed transport protocol,
     * DNS fields need UDP port 53 on one side, and the exact name makes the parent redundant.
     */
    private static boolean consistent(int s, List<Field> fields, List<Object> values, TrafficClass trafficClass) {
        Map<Field, Object> chosen = new EnumMap<>(Field.class);
        for (int i = 0; i < fields.size(); i++) {
            if ((s & (1 << i)) != 0) {
                chosen.put(fields.get(i), values.get(i));
            }
        }
        int protocol = chosen.get(Field.PROTOCOL) instanceof Integer p
                ? p
                : switch (trafficClass) {
                    case TCP_SYN, TCP_OTHER -> DecodedPacket.TCP;
                    case UDP -> DecodedPacket.UDP;
                    default -> -1;
                };
        boolean transport = chosen.keySet().stream().anyMatch(Field::isTransport);
        if (transport && protocol != DecodedPacket.TCP && protocol != DecodedPacket.UDP) {
            return false;
        }
        if ((chosen.containsKey(Field.TCP_FLAGS)
                        || chosen.containsKey(Field.TCP_WINDOW)
                        || chosen.containsKey(Field.TCP_OPTIONS))
                && protocol != DecodedPacket.TCP) {
            return false;
        }
        boolean dns = chosen.containsKey(Field.DNS_NAME) || chosen.containsKey(Field.DNS_PARENT);
        if (dns) {
            if (chosen.containsKey(Field.DNS_NAME) && chosen.containsKey(Field.DNS_PARENT)) {
                return false;
            }
            boolean port53 = Integer.valueOf(53).equals(chosen.get(Field.SOURCE_PORT))
                    || Integer.valueOf(53).equals(chosen.get(Field.DESTINATION_PORT));
            return protocol == DecodedPacket.UDP && port53;
        }
        return true;
    }
}
