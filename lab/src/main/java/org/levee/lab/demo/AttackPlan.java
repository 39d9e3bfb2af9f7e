package org.levee.lab.demo;

import org.levee.lab.FloodKind;

/**
 * One flood of the demo: which kind, when it starts and how long it lasts (seconds after the
 * demo's start), and the rate the generator is asked for.
 */
public record AttackPlan(FloodKind kind, double startSeconds, double durationSeconds, long packetsPerSecond) {
    public AttackPlan {
        if (kind == null) {
            throw new IllegalArgumentException("attack plan: flood kind is missing");
        }
        if (!(startSeconds >= 0)) {
            throw new IllegalArgumentException(
                    "attack plan " + kind.id() + ": start " + startSeconds + " s is negative");
        }
        if (!(durationSeconds > 0)) {
            throw new IllegalArgumentException(
                    "attack plan " + kind.id() + ": duration " + durationSeconds + " s is not positive");
        }
        if (packetsPerSecond <= 0) {
            throw new IllegalArgumentException(
                    "attack plan " + kind.id() + ": rate " + packetsPerSecond + " pps is not positive");
        }
    }

    public double endSeconds() {
        return startSeconds + durationSeconds;
    }
}
