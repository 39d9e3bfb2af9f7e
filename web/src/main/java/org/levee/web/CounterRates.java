package org.levee.web;

import java.util.Optional;

/**
 * Turns successive readings of growing counters into rates. A counter that went down started
 * again (a new program, a cleared map): its increase is its new value, as Prometheus's
 * {@code rate()} counts it. Not thread-safe: one reader of one set of counters.
 */
public final class CounterRates {
    private TrafficCounts last;
    private long lastNanos;

    /** Rates from the second reading on. */
    public CounterRates() {}

    /**
     * The rates since the previous reading; empty for the first one, and when no time has passed
     * on {@code nanos}' clock (a monotonic one: {@link System#nanoTime()}).
     */
    public Optional<TrafficRates> next(TrafficCounts now, long nanos) {
        TrafficCounts previous = last;
        long previousNanos = lastNanos;
        if (previous != null && nanos - previousNanos <= 0) {
            return Optional.empty();
        }
        last = now;
        lastNanos = nanos;
        if (previous == null) {
            return Optional.empty();
        }
        double seconds = (nanos - previousNanos) / 1e9;
        return Optional.of(new TrafficRates(
                increase(previous.seen(), now.seen()) / seconds,
                increase(previous.passed(), now.passed()) / seconds,
                increase(previous.dropped(), now.dropped()) / seconds,
                increase(previous.ratelimited(), now.ratelimited()) / seconds,
                increase(previous.sampled(), now.sampled()) / seconds));
    }

    private static long increase(long before, long after) {
        return after >= before ? after - before : Math.max(0, after);
    }
}
