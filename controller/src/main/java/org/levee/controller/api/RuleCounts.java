package org.levee.controller.api;

/**
 * A rule's counters summed over the edges that report them (their registrations'
 * {@code counters.rules.ID}).
 *
 * @param packets packets whose first matching rule it was
 * @param bytes their bytes
 */
public record RuleCounts(long packets, long bytes) {
    public static final RuleCounts ZERO = new RuleCounts(0, 0);
}
