package org.levee.web;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Adds a point to a {@link TrafficHistory} every second, on a thread of its own, from a server's
 * counters ({@link #ofCounters}) or from rates it computes itself ({@link #ofRates}). Points carry
 * wall-clock milliseconds that never go back: the wall clock at the start plus the monotonic
 * clock's time since, so a stepped system clock cannot reorder the history.
 */
public final class TrafficRecorder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TrafficRecorder.class.getName());
    private static final long PERIOD_MILLIS = 1_000;

    private final TrafficHistory history;
    private final Source source;
    private final long originEpochMillis = System.currentTimeMillis();
    private final long originNanos = System.nanoTime();
    private ScheduledExecutorService timer;
    private boolean failing;

    /** Where a point's rates come from, read at a moment of the monotonic clock. */
    @FunctionalInterface
    interface Source {
        Optional<TrafficRates> read(long nanos);
    }

    private TrafficRecorder(TrafficHistory history, Source source) {
        this.history = Objects.requireNonNull(history, "history");
        this.source = source;
    }

    /** Rates from growing counters read every second (a node's data plane). */
    public static TrafficRecorder ofCounters(TrafficHistory history, Supplier<TrafficCounts> counts) {
        CounterRates rates = new CounterRates();
        return new TrafficRecorder(history, nanos -> rates.next(counts.get(), nanos));
    }

    /** Rates as the server has them now (a controller: the edges' reports). */
    public static TrafficRecorder ofRates(TrafficHistory history, Supplier<TrafficRates> rates) {
        return new TrafficRecorder(history, nanos -> Optional.of(rates.get()));
    }

    /** Starts taking a point every second. */
    public synchronized TrafficRecorder start() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                    .name("levee-traffic-history")
                    .daemon(true)
                    .factory());
            timer.scheduleAtFixedRate(
                    () -> record(System.nanoTime()), PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Reads the source and adds its point, timed at {@code nanos} of the monotonic clock. A
     * source that fails loses its point: the history has a gap, the server goes on (said once in
     * the log until it works again).
     */
    void record(long nanos) {
        try {
            Optional<TrafficRates> rates = source.read(nanos);
            if (rates.isPresent()) {
                history.add(new TrafficPoint(originEpochMillis + (nanos - originNanos) / 1_000_000, rates.get()));
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(Level.WARNING, "the traffic history cannot read the counters: " + e.getMessage());
            }
            failing = true;
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
