package org.levee.detector.rule;

import java.util.Objects;
import org.levee.detector.sample.Prefix;
import org.levee.detector.sample.TrafficClass;

/**
 * A mitigation rule: packets to {@code destination} that {@code filter} matches get
 * {@code action} in the data centers of {@code datacenters}. The filter already tests the
 * destination; the field is there so rules can be listed and grouped by what they protect.
 *
 * @param id stable identifier ("auto-7" for the detector's, anything for manual ones)
 * @param destination the host or prefix under attack
 * @param trafficClass the class the attack was detected in ({@link TrafficClass#ALL} for manual
 *     rules unless given)
 * @param filter the packet filter
 * @param datacenters where it applies
 * @param action drop, or rate-limit to {@code ratelimitPacketsPerSecond}
 * @param ratelimitPacketsPerSecond the allowed rate for {@link Action#RATELIMIT}, 0 for drop
 * @param origin who made it; only {@link Origin#AUTO} rules are ever retired by the detector
 */
public record Rule(
        String id,
        Prefix destination,
        TrafficClass trafficClass,
        RuleFilter filter,
        DatacenterScope datacenters,
        Action action,
        long ratelimitPacketsPerSecond,
        Origin origin) {

    public Rule {
        Objects.requireNonNull(id, "rule field 'id' is null");
        Objects.requireNonNull(destination, "rule field 'destination' is null");
        Objects.requireNonNull(trafficClass, "rule field 'trafficClass' is null");
        Objects.requireNonNull(filter, "rule field 'filter' is null");
        Objects.requireNonNull(datacenters, "rule field 'datacenters' is null");
        Objects.requireNonNull(action, "rule field 'action' is null");
        Objects.requireNonNull(origin, "rule field 'origin' is null");
        if (action == Action.RATELIMIT && ratelimitPacketsPerSecond <= 0) {
            throw new IllegalArgumentException("rule " + id + ": a ratelimit rule needs a positive rate, not "
                    + ratelimitPacketsPerSecond);
        }
        if (action == Action.DROP && ratelimitPacketsPerSecond != 0) {
            throw new IllegalArgumentException("rule " + id + ": a drop rule has no rate, not "
                    + ratelimitPacketsPerSecond);
        }
    }

    @Override
    public String toString() {
        return id + " " + action.name().toLowerCase()
                + (action == Action.RATELIMIT ? "(" + ratelimitPacketsPerSecond + " pps)" : "")
                + " dst " + destination + " dc " + datacenters + " [" + filter.description() + "]";
    }
}
