package org.levee.controller.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.levee.web.CounterRates;
import org.levee.web.TrafficCounts;
import org.levee.web.TrafficRates;

/**
 * The fleet's traffic for the live page, from the totals the edges put in their registrations:
 * each edge's rates between its last two reports (seen, passed, dropped, rate-limited, sampled),
 * summed over the edges. The time between two reports is the difference of the edge's own
 * stamps ({@code reported}), compared with each other only: how late etcd delivers a report does
 * not bend the rate. Edges report every few seconds ({@code fleet.report_interval}, 5 s by
 * default), so the sum is a step curve of that resolution. An edge counts until its registration
 * goes, or until this controller (on its own monotonic clock) has had no report from it for more
 * than twice its last interval plus a second: then it says nothing about now. An edge whose
 * stamps went back (its clock was set back) starts afresh. Thread-safe.
 */
public final class EdgeTraffic {
    private static final long GRACE_NANOS = 1_000_000_000L;

    /** One edge: its counter rates, its last report and what it said. */
    private static final class Edge {
        CounterRates rates = new CounterRates();
        Instant reported;
        long receivedNanos;
        long intervalNanos;
        TrafficRates last = TrafficRates.ZERO;
    }

    private final Map<String, Edge> byNode = new HashMap<>();

    /** No edge known yet. */
    public EdgeTraffic() {}

    /**
     * What one edge reported.
     *
     * @param reported the edge's own stamp of the report (identifies it; never compared with this clock)
     * @param counts its data plane's totals in that report
     */
    public record Reported(Instant reported, TrafficCounts counts) {
        public Reported {
            Objects.requireNonNull(reported, "reported");
            Objects.requireNonNull(counts, "counts");
        }
    }

    /**
     * The registrations now, by {@code DC/NODE}; an edge missing from them is forgotten.
     *
     * @param receivedNanos this controller's monotonic time now (for when an edge falls silent)
     */
    public synchronized void update(Map<String, Reported> edges, long receivedNanos) {
        byNode.keySet().retainAll(edges.keySet());
        edges.forEach((node, r) -> {
            Edge e = byNode.computeIfAbsent(node, k -> new Edge());
            if (r.reported().equals(e.reported)) {
                return;
            }
            long stamp = r.reported().getEpochSecond() * 1_000_000_000L
                    + r.reported().getNano();
            if (e.reported != null && r.reported().isBefore(e.reported)) {
                e.rates = new CounterRates();
            }
            Optional<TrafficRates> rates = e.rates.next(r.counts(), stamp);
            if (rates.isPresent()) {
                e.last = rates.get();
                e.intervalNanos = Duration.between(e.reported, r.reported()).toNanos();
            }
            e.reported = r.reported();
            e.receivedNanos = receivedNanos;
        });
    }

    /** The sum of the edges' rates that still speak for {@code nanos} (this controller's monotonic clock). */
    public synchronized TrafficRates now(long nanos) {
        TrafficRates sum = TrafficRates.ZERO;
        for (Edge e : byNode.values()) {
            if (e.intervalNanos > 0 && nanos - e.receivedNanos <= 2 * e.intervalNanos + GRACE_NANOS) {
                sum = sum.plus(e.last);
            }
        }
        return sum;
    }

    /** The edges known. */
    public synchronized int edges() {
        return byNode.size();
    }
}
