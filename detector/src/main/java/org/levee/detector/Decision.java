package org.levee.detector;

import java.util.Objects;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;

/**
 * One thing the detector decided, with its evidence.
 *
 * @param timeNanos when (sample time)
 * @param kind what
 * @param destination the host or aggregate concerned
 * @param trafficClass the class concerned
 * @param rule the rule added, retired or refused, null otherwise
 * @param evidence why
 */
public record Decision(
        long timeNanos, Kind kind, Prefix destination, TrafficClass trafficClass, Rule rule, Evidence evidence) {

    public enum Kind {
        /** A class's rate crossed its threshold or baseline level: fingerprinting starts. */
        ATTACK_DETECTED,
        /** A rule was made for the attack. */
        RULE_ADDED,
        /** No rule: a baseline anomaly without any fingerprint that spares normal traffic. */
        NO_RULE,
        /**
         * A rule was made for the attack, and the rule guard refused it (it would cut off a
         * protected endpoint or too much legitimate traffic): the decision carries the refused
         * rule, the evidence's note says why, and the attack goes on unmitigated.
         */
        RULE_REFUSED,
        /** The rule's matched rate stayed below the end level for the cool-down: removed. */
        RULE_RETIRED,
        /** An attack without a rule ended the same way. */
        ATTACK_ENDED,
        /**
         * A rule limited to some data centers now applies in more of them (or in all): the samples
         * its filter matched show the attack in a data center it left out. The decision carries
         * the rule as it is now, under the same id. Rules never narrow while they live.
         */
        RULE_WIDENED
    }

    public Decision {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(trafficClass, "trafficClass");
        Objects.requireNonNull(evidence, "evidence");
    }

    /** The evidence of this decision in plain values that outlive the detector (stored with its rule). */
    public AttackEvidence attackEvidence() {
        return evidence.toAttackEvidence(destination, trafficClass);
    }

    @Override
    public String toString() {
        return String.format(
                "t=%.3fs %s %s %s%s %s",
                timeNanos / 1e9,
                kind,
                destination,
                trafficClass,
                rule == null ? "" : " rule=" + describe(rule),
                evidence);
    }

    /** {@code auto-7 drop dc ams,fra [udp attack on …: <filter description>]}. */
    private static String describe(Rule rule) {
        return rule.id() + " " + rule.action().keyword()
                + (rule.action() instanceof Action.RateLimit r ? "(" + r.pps() + " pps)" : "")
                + " dc " + (rule.datacenters().isEmpty() ? "all" : String.join(",", rule.datacenters()))
                + " [" + rule.comment() + "]";
    }
}
