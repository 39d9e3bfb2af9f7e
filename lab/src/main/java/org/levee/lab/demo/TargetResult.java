package org.levee.lab.demo;

import java.util.OptionalDouble;

/**
 * One of the demo's targets, checked against what it measured.
 *
 * @param name a stable key ({@code time_to_mitigate_p50_s}, …)
 * @param description the target in words
 * @param measured the measured value, empty when there was nothing to measure (which fails)
 * @param comparison {@code "<="} (at most the limit) or {@code ">="} (at least the limit)
 * @param limit the limit
 * @param met whether it was met
 */
public record TargetResult(
        String name, String description, OptionalDouble measured, String comparison, double limit, boolean met) {
    public TargetResult {
        if (!comparison.equals("<=") && !comparison.equals(">=")) {
            throw new IllegalArgumentException(
                    "target " + name + ": comparison '" + comparison + "' is neither <= nor >=");
        }
    }

    /** A target checked against {@code measured}: met only when it was measured and within the limit. */
    static TargetResult check(
            String name, String description, OptionalDouble measured, String comparison, double limit) {
        boolean met = measured.isPresent()
                && (comparison.equals("<=") ? measured.getAsDouble() <= limit : measured.getAsDouble() >= limit);
        return new TargetResult(name, description, measured, comparison, limit, met);
    }
}
