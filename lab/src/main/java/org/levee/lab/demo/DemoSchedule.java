package org.levee.lab.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.levee.lab.FloodKind;

/**
 * When each flood of the demo runs. Attacks follow one another, never overlapping: each gets an
 * equal slot after a quiet warm-up, floods for the first part of its slot and leaves the rest
 * quiet, long enough for the detector's cool-down to retire the attack's rule before the next
 * flood starts (so every attack is measured on its own, and every rule's retirement is seen).
 *
 * @param attacks the floods, in order
 * @param totalSeconds the demo's length
 */
public record DemoSchedule(List<AttackPlan> attacks, double totalSeconds) {
    /** Quiet seconds before the first flood: legitimate traffic only, the detector learns it. */
    public static final double WARMUP_SECONDS = 3;
    /** A flood lasts at least this long: detection needs a second, and the rest is measured mitigation. */
    public static final double MIN_ATTACK_SECONDS = 5;
    /** Beyond the cool-down, the quiet time a rule is given to retire (detector rounds, swaps). */
    public static final double RETIRE_MARGIN_SECONDS = 3;

    public DemoSchedule {
        attacks = List.copyOf(attacks);
        if (attacks.isEmpty()) {
            throw new IllegalArgumentException("demo schedule: no attacks");
        }
        for (int i = 1; i < attacks.size(); i++) {
            if (attacks.get(i).startSeconds() < attacks.get(i - 1).endSeconds()) {
                throw new IllegalArgumentException("demo schedule: attack " + i + " ("
                        + attacks.get(i).kind().id()
                        + ") starts at " + attacks.get(i).startSeconds() + " s, before attack " + (i - 1) + " ends at "
                        + attacks.get(i - 1).endSeconds() + " s");
            }
        }
        if (totalSeconds < attacks.getLast().endSeconds()) {
            throw new IllegalArgumentException("demo schedule: total " + totalSeconds
                    + " s ends before the last attack at " + attacks.getLast().endSeconds() + " s");
        }
    }

    /** The shortest demo that fits {@code attacks} floods with a rule cool-down of {@code cooldown}. */
    public static int minimumSeconds(int attacks, Duration cooldown) {
        return (int) Math.ceil(WARMUP_SECONDS + attacks * (MIN_ATTACK_SECONDS + quietSeconds(cooldown)));
    }

    /**
     * Spreads {@code kinds} over {@code totalSeconds}, each at {@code packetsPerSecond}, leaving
     * each rule {@code cooldown} plus a margin to retire after its flood stops.
     *
     * @throws IllegalArgumentException when the duration is too short, saying how long it must be
     */
    public static DemoSchedule spread(
            int totalSeconds, List<FloodKind> kinds, long packetsPerSecond, Duration cooldown) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("demo schedule: no attacks chosen");
        }
        int minimum = minimumSeconds(kinds.size(), cooldown);
        if (totalSeconds < minimum) {
            throw new IllegalArgumentException(
                    "--duration " + totalSeconds + " s is too short for " + kinds.size() + " attack(s) with a "
                            + cooldown.toSeconds() + " s cool-down: it must be at least " + minimum + " s");
        }
        double slot = (totalSeconds - WARMUP_SECONDS) / kinds.size();
        double attackSeconds = slot - quietSeconds(cooldown);
        List<AttackPlan> plans = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            plans.add(new AttackPlan(kinds.get(i), WARMUP_SECONDS + i * slot, attackSeconds, packetsPerSecond));
        }
        return new DemoSchedule(plans, totalSeconds);
    }

    private static double quietSeconds(Duration cooldown) {
        return cooldown.toMillis() / 1000.0 + RETIRE_MARGIN_SECONDS;
    }

    /** The attack running at {@code seconds} after the start, or null in a quiet time. */
    public AttackPlan attackAt(double seconds) {
        for (AttackPlan a : attacks) {
            if (seconds >= a.startSeconds() && seconds < a.endSeconds()) {
                return a;
            }
        }
        return null;
    }
}
