package org.levee.controller.rules;

import java.util.OptionalDouble;

/**
 * A rule's packet rate as counted where the rule runs, not as sampled: what {@link
 * RetirementCheck} compares a retirement against. The fleet's edges supply it through their
 * registrations ({@code controller.fleet.EdgeRuleRates}); this package only reads it, so the
 * arrow points from the fleet to the rules.
 */
@FunctionalInterface
public interface CountedRuleRates {

    /**
     * The packets per second rule {@code id} matched over counts made at or after {@code
     * sinceNanos} (the caller's monotonic clock); empty when no count covers that time.
     */
    OptionalDouble packetsPerSecond(String id, long sinceNanos);
}
