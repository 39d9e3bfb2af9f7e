package org.levee.lab.demo;

import java.util.ArrayList;
import java.util.List;
import org.levee.lab.DeliveryCounts;

/**
 * The demo's per-second timeline, made from consecutive {@link Tick}s: rates are differences of
 * the cumulative counters. Legitimate requests are counted by the second they were sent in (from
 * the {@link LegitLedger}), so a request lost during an attack shows in the second it was sent.
 */
public final class Timeline {
    private Timeline() {}

    /**
     * The row for the interval between {@code previous} and {@code current}.
     *
     * @param startNanos the demo's start ({@link System#nanoTime()}), second 0
     */
    public static Second row(long startNanos, Tick previous, Tick current, LegitLedger legit, DemoSchedule schedule) {
        if (current.nanos() < previous.nanos()) {
            throw new IllegalArgumentException("tick at " + current.nanos() + " ns is earlier than the one before, at "
                    + previous.nanos() + " ns");
        }
        int second = (int) Math.round((current.nanos() - startNanos) / 1e9);
        double middle = ((previous.nanos() + current.nanos()) / 2.0 - startNanos) / 1e9;
        AttackPlan attack = schedule.attackAt(middle);
        DeliveryCounts counts = legit.window(previous.nanos(), current.nanos());
        return new Second(
                second,
                attack == null ? "" : attack.kind().id(),
                counts.sent(),
                counts.delivered(),
                nonNegative(current.attackOffered() - previous.attackOffered()),
                nonNegative(current.edgeSeen() - previous.edgeSeen()),
                nonNegative(current.edgeDropped() - previous.edgeDropped()),
                nonNegative(current.edgePassed() - previous.edgePassed()),
                nonNegative(current.sampled() - previous.sampled()),
                nonNegative(current.samplesLost() - previous.samplesLost()),
                nonNegative(current.samplesRead() - previous.samplesRead()),
                current.rules());
    }

    /** Every row of {@code ticks} (the first tick is the start of the first row). */
    public static List<Second> rows(long startNanos, List<Tick> ticks, LegitLedger legit, DemoSchedule schedule) {
        List<Second> rows = new ArrayList<>();
        for (int i = 1; i < ticks.size(); i++) {
            rows.add(row(startNanos, ticks.get(i - 1), ticks.get(i), legit, schedule));
        }
        return rows;
    }

    /** A counter that went back (a program swapped in with fresh maps) counts as no change, not a negative rate. */
    private static long nonNegative(long delta) {
        return Math.max(0, delta);
    }
}
