package org.levee.lab.demo;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.levee.lab.DeliveryCounts;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Rule;

/**
 * What happened to one flood, measured by the demo. Times are seconds since the demo's start.
 *
 * @param plan the scheduled flood
 * @param startedSeconds when the generator started
 * @param stoppedSeconds when it stopped
 * @param detectedSeconds when the detector declared the attack, if it did
 * @param mitigatedSeconds when the first rule for it was in force in the kernel, if one was
 * @param retiredSeconds when the last of its rules was removed, if they all were
 * @param sent frames the generator sent in all
 * @param offeredAfterMitigation frames it sent from mitigation until it stopped
 * @param droppedAfterMitigation packets the attack's rules dropped (rules exist only after mitigation)
 * @param passedAfterMitigation attack packets the edge let through after mitigation: the packets it
 *     passed then, minus the legitimate requests that reached the service meanwhile
 * @param legitDuringDetection legitimate requests sent between the flood's start and its mitigation
 * @param evidence what the detector saw when it wrote the (first) rule
 * @param rules the rules the detector wrote for it, in order
 */
public record AttackOutcome(
        AttackPlan plan,
        double startedSeconds,
        double stoppedSeconds,
        OptionalDouble detectedSeconds,
        OptionalDouble mitigatedSeconds,
        OptionalDouble retiredSeconds,
        long sent,
        long offeredAfterMitigation,
        long droppedAfterMitigation,
        long passedAfterMitigation,
        DeliveryCounts legitDuringDetection,
        Optional<AttackEvidence> evidence,
        List<Rule> rules) {
    public AttackOutcome {
        rules = List.copyOf(rules);
        if (stoppedSeconds < startedSeconds) {
            throw new IllegalArgumentException("attack " + plan.kind().id() + ": stopped at " + stoppedSeconds
                    + " s before it started at " + startedSeconds + " s");
        }
        if (sent < 0 || offeredAfterMitigation < 0 || droppedAfterMitigation < 0 || passedAfterMitigation < 0) {
            throw new IllegalArgumentException("attack " + plan.kind().id() + ": negative packet count");
        }
        if (mitigatedSeconds.isPresent() && rules.isEmpty()) {
            throw new IllegalArgumentException("attack " + plan.kind().id() + ": mitigated without a rule");
        }
    }

    public String name() {
        return plan.kind().id();
    }

    /** The rate the generator actually reached: frames sent over the flood's duration. */
    public double reachedPps() {
        double seconds = stoppedSeconds - startedSeconds;
        return seconds > 0 ? sent / seconds : 0;
    }

    /** Seconds from the flood's start until its first rule was in force. */
    public OptionalDouble timeToMitigate() {
        return mitigatedSeconds.isPresent()
                ? OptionalDouble.of(mitigatedSeconds.getAsDouble() - startedSeconds)
                : OptionalDouble.empty();
    }

    /**
     * Percentage of the attack packets reaching the edge after mitigation that the rules
     * dropped; empty when it was never mitigated, or nothing reached the edge afterwards.
     */
    public OptionalDouble droppedPctAfterMitigation() {
        long reached = droppedAfterMitigation + passedAfterMitigation;
        if (mitigatedSeconds.isEmpty() || reached == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(100.0 * droppedAfterMitigation / reached);
    }

    /** True when every rule for it was removed after the flood stopped. */
    public boolean retiredAfterEnd() {
        return retiredSeconds.isPresent() && retiredSeconds.getAsDouble() >= stoppedSeconds;
    }

    /** The first rule written for it. */
    public Optional<Rule> rule() {
        return rules.isEmpty() ? Optional.empty() : Optional.of(rules.getFirst());
    }
}
