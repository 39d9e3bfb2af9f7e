package org.levee.controller.fleet;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.levee.controller.rules.CountedRuleRates;

/**
 * Each rule's packet rate as the edges count it, from the per-rule counters in their
 * registrations: for every edge, the packets between its last two reports divided by the time
 * between them as this controller received them (this controller's monotonic clock: the edges'
 * clocks are never compared with it). A second opinion on a rule's traffic that does not travel
 * with the samples — the edges report through etcd, the samples come by sFlow — so a controller
 * whose samples stop arriving can tell that an attack did not stop ({@code RetirementCheck}).
 *
 * <p>A report is recognised by its {@code reported} time, which every edge rewrites with each
 * report; an edge whose counters went down (it restarted) starts afresh; an edge whose
 * registration went is forgotten. Thread-safe.
 */
public final class EdgeRuleRates implements CountedRuleRates {

    /** One report: when it arrived here, and each rule's packet counter in it. */
    private record Report(Instant reported, long receivedNanos, Map<String, Long> packets) {}

    /** An edge's last report and the one before, when both are known. */
    private record History(Report previous, Report last) {}

    private final Map<String, History> byNode = new HashMap<>();

    /** No edge has reported yet. */
    public EdgeRuleRates() {}

    /**
     * The registrations now: for each edge ({@code DC/NODE}), when it reported and its rules'
     * packet counters.
     *
     * @param receivedNanos this controller's monotonic time now
     */
    public synchronized void update(Map<String, Reported> edges, long receivedNanos) {
        byNode.keySet().retainAll(edges.keySet());
        edges.forEach((node, r) -> {
            History h = byNode.get(node);
            Report now = new Report(r.reported(), receivedNanos, Map.copyOf(r.packets()));
            if (h == null) {
                byNode.put(node, new History(null, now));
            } else if (!h.last().reported().equals(r.reported())) {
                boolean restarted = h.last().packets().entrySet().stream()
                        .anyMatch(e -> r.packets().getOrDefault(e.getKey(), e.getValue()) < e.getValue());
                byNode.put(node, new History(restarted ? null : h.last(), now));
            }
        });
    }

    /**
     * What one edge reported.
     *
     * @param reported the edge's own stamp of the report (identifies it; never compared with this clock)
     * @param packets each rule's packet counter
     */
    public record Reported(Instant reported, Map<String, Long> packets) {
        public Reported {
            Objects.requireNonNull(reported, "reported");
            packets = Map.copyOf(packets);
        }
    }

    /**
     * The packets per second that rule {@code id} matched, summed over the edges whose last two
     * reports both arrived at or after {@code sinceNanos}; empty when no edge has such a pair
     * (then the edges say nothing about that time).
     */
    @Override
    public synchronized OptionalDouble packetsPerSecond(String id, long sinceNanos) {
        double sum = 0;
        boolean any = false;
        for (History h : byNode.values()) {
            Report p = h.previous();
            Report l = h.last();
            if (p == null || p.receivedNanos() < sinceNanos || l.receivedNanos() <= p.receivedNanos()) {
                continue;
            }
            any = true;
            long packets = l.packets().getOrDefault(id, 0L) - p.packets().getOrDefault(id, 0L);
            sum += packets * 1e9 / (l.receivedNanos() - p.receivedNanos());
        }
        return any ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
