package org.levee.lab.demo;

import java.util.List;
import org.levee.lab.DeliveryCounts;

/**
 * The legitimate traffic's fate over the whole demo, and outside the detection windows (from a
 * flood's start until its mitigation, when losses are expected: nothing is dropped yet).
 *
 * @param total every request sent
 * @param outsideDetection the requests sent outside every detection window
 */
public record LegitSummary(DeliveryCounts total, DeliveryCounts outsideDetection) {

    /** A window of send times, [{@code fromNanos}, {@code toNanos}) in {@link System#nanoTime()} values. */
    public record Window(long fromNanos, long toNanos) {
        public Window {
            if (toNanos < fromNanos) {
                throw new IllegalArgumentException(
                        "window ends at " + toNanos + " ns before it starts at " + fromNanos + " ns");
            }
        }
    }

    /**
     * Sums {@code log} over all time and over the complement of {@code detectionWindows} (which
     * must not overlap, as the demo's attacks never do).
     */
    public static LegitSummary of(LegitLedger log, List<Window> detectionWindows) {
        List<Window> sorted = detectionWindows.stream()
                .sorted(java.util.Comparator.comparingLong(Window::fromNanos))
                .toList();
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).fromNanos() < sorted.get(i - 1).toNanos()) {
                throw new IllegalArgumentException("detection windows " + (i - 1) + " and " + i + " overlap");
            }
        }
        DeliveryCounts total = log.total();
        long sent = total.sent();
        long delivered = total.delivered();
        long answered = total.answered();
        for (Window w : sorted) {
            DeliveryCounts inside = log.window(w.fromNanos(), w.toNanos());
            sent -= inside.sent();
            delivered -= inside.delivered();
            answered -= inside.answered();
        }
        return new LegitSummary(total, new DeliveryCounts(sent, delivered, answered));
    }

    public double lostPct() {
        return 100 * total.lossRatio();
    }

    public double lostPctOutsideDetection() {
        return 100 * outsideDetection.lossRatio();
    }
}
