package org.levee.lab.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The demo's targets (issue 8): time to mitigate p50 ≤ 1 s and every attack ≤ 2 s; at least 99%
 * of the attack packets dropped after mitigation; at most 0.1% of the legitimate requests lost
 * outside the detection windows; every automatic rule retired after its attack ended.
 */
public final class Targets {
    public static final double P50_TIME_TO_MITIGATE_SECONDS = 1.0;
    public static final double MAX_TIME_TO_MITIGATE_SECONDS = 2.0;
    public static final double MIN_DROPPED_PCT = 99.0;
    public static final double MAX_LEGIT_LOST_PCT_OUTSIDE_DETECTION = 0.1;

    private Targets() {}

    /**
     * Checks every target.
     *
     * @param leftoverAutoRules automatic rules still in force when the demo ended
     */
    public static List<TargetResult> evaluate(
            List<AttackOutcome> attacks, LegitSummary legit, List<String> leftoverAutoRules) {
        List<TargetResult> results = new ArrayList<>();
        // An attack never mitigated took forever: it counts as infinitely slow, never as missing.
        double[] times = attacks.stream()
                .mapToDouble(a -> a.timeToMitigate().orElse(Double.POSITIVE_INFINITY))
                .sorted()
                .toArray();
        results.add(TargetResult.check(
                "time_to_mitigate_p50_s",
                "median time from a flood's start to its rule in force",
                finite(median(times)),
                "<=",
                P50_TIME_TO_MITIGATE_SECONDS));
        results.add(TargetResult.check(
                "time_to_mitigate_max_s",
                "slowest time from a flood's start to its rule in force",
                finite(times.length == 0 ? Double.NaN : times[times.length - 1]),
                "<=",
                MAX_TIME_TO_MITIGATE_SECONDS));
        double minDropped = attacks.stream()
                .mapToDouble(a -> a.droppedPctAfterMitigation().orElse(Double.NaN))
                .reduce(
                        Double.POSITIVE_INFINITY,
                        (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y));
        results.add(TargetResult.check(
                "dropped_pct_after_mitigation_min",
                "share of attack packets dropped after mitigation, for the least-mitigated attack (%)",
                attacks.isEmpty() ? OptionalDouble.empty() : finite(minDropped),
                ">=",
                MIN_DROPPED_PCT));
        results.add(TargetResult.check(
                "legit_lost_pct_outside_detection",
                "legitimate requests lost outside the windows from a flood's start to its mitigation (%)",
                OptionalDouble.of(legit.lostPctOutsideDetection()),
                "<=",
                MAX_LEGIT_LOST_PCT_OUTSIDE_DETECTION));
        long notRetired = attacks.stream().filter(a -> !a.retiredAfterEnd()).count() + leftoverAutoRules.size();
        results.add(TargetResult.check(
                "auto_rules_not_retired",
                "attacks whose rules were not retired after they ended, plus automatic rules left at the end",
                OptionalDouble.of(notRetired),
                "<=",
                0));
        return List.copyOf(results);
    }

    /** The median of sorted {@code values} (the mean of the middle two for an even count); NaN when empty. */
    static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (!isSorted(sorted)) {
            throw new IllegalArgumentException("median: values are not sorted: " + Arrays.toString(sorted));
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static boolean isSorted(double[] values) {
        for (int i = 1; i < values.length; i++) {
            if (values[i] < values[i - 1]) {
                return false;
            }
        }
        return true;
    }

    private static OptionalDouble finite(double value) {
        return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    public static boolean allMet(List<TargetResult> results) {
        return results.stream().allMatch(TargetResult::met);
    }
}
