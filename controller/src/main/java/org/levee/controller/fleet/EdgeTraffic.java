package org.levee.controller.fleet;

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
 * timed by this controller's monotonic clock as the reports arrive, and summed over the edges.
 * Edges report every few seconds ({@code fleet.report_interval}, 5 s by default), so the sum is
 * a step curve of that resolution; an edge counts until its registration goes, or until it is
 * late by more than twice its own last interval plus a second (then it says nothing about now).
 * Thread-safe.
 */
public final class EdgeTraffic {
    private static final long GRACE_NANOS = 1_000_000_000L;

    /** One edge: its counter rates, its last report and what it said. */
    private static final class Edge {
        final CounterRates rates = new CounterRates();
        Instant reported;
        long receivedNanos;
        long intervalNanos;
        TrafficRates last = TrafficRates.ZERO;
    }

    private final Map<String, Edge> byNode = new HashMap<>();

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
     * @param receivedNanos this controller's monotonic time now
     */
    public synchronized void update(Map<String, Reported> edges, long receivedNanos) {
        byNode.keySet().retainAll(edges.keySet());
        edges.forEach((node, r) -> {
            Edge e = byNode.computeIfAbsent(node, k -> new Edge());
            if (r.reported().equals(e.reported)) {
                return;
            }
            Optional<TrafficRates> rates = e.rates.next(r.counts(), receivedNanos);
            if (rates.isPresent()) {
                e.last = rates.get();
                e.intervalNanos = receivedNanos - e.receivedNanos;
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
