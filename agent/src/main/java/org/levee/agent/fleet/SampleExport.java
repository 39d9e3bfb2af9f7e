package org.levee.agent.fleet;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.levee.agent.config.Sampling;
import org.levee.agent.detect.SampleRateController;
import org.levee.dataplane.Counters;
import org.levee.dataplane.DataPlane;
import org.levee.rules.Sample;
import org.levee.sflow.SflowExporter;

/**
 * The edge's sampler thread in the fleet: reads the samples of the data plane's ring buffer (taken
 * before any rule acts, so a dropped attack stays visible) and hands each to the sFlow exporter as
 * a flow sample, with the sampling rate it was taken at, the packets the program has seen as the
 * sample pool and the samples the ring buffer lost as drops. It also adjusts N of "1 in N" to the
 * configured samples per second, as a single node does.
 */
final class SampleExport implements Runnable {
    private static final System.Logger LOG = System.getLogger(SampleExport.class.getName());
    private static final Duration POLL = Duration.ofMillis(100);
    /** The pool and drops are read at most this often: one map read for a round of samples. */
    private static final long COUNTERS_NANOS = 20_000_000L;

    private final DataPlane dataPlane;
    private final SflowExporter.Source source;
    private final SampleRateController rateController;
    private final String datacenter;
    private final String node;
    private final AtomicLong samplesRead = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;
    private long seen;
    private long lost;
    /** The sample pool of the last sample sent: never less than the packets the samples so far stand for. */
    private long pool;

    private long countersNanos = Long.MIN_VALUE;
    private long rateCheckNanos;
    private long rateCheckSeen = -1;
    private long quickCheckNanos;
    private long quickCheckSeen;

    SampleExport(DataPlane dataPlane, SflowExporter.Source source, Sampling sampling, String datacenter, String node) {
        this.dataPlane = dataPlane;
        this.source = source;
        this.rateController = new SampleRateController(sampling);
        this.datacenter = datacenter;
        this.node = node;
    }

    @Override
    public void run() {
        while (running) {
            try {
                long now = System.nanoTime();
                if (now - countersNanos >= COUNTERS_NANOS) {
                    Counters totals = dataPlane.totals();
                    seen = totals.seen();
                    lost = totals.samplesLost();
                    countersNanos = now;
                    adjustRate(now, totals.seen());
                }
                dataPlane.pollSamples(POLL, datacenter, node, this::export);
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                LOG.log(Level.WARNING, "sFlow export: " + e);
                sleep();
            }
        }
    }

    private void export(Sample sample) {
        samplesRead.incrementAndGet();
        // The pool is the packets seen, read at most 20 ms ago; samples taken since stand for packets
        // that read missed, so each sample adds at least its own rate: collectors divide pool growth
        // by samples to check the rate, and a pool that lags would say the rate is lower than it is.
        pool = Math.max(seen, pool + sample.samplingRate());
        source.packetSample(
                sample.samplingRate(), pool, lost, sample.packet(), sample.packet().length, sample.wireLength());
    }

    private void adjustRate(long now, long seenNow) {
        if (rateCheckSeen >= 0 && now - quickCheckNanos < SampleRateController.QUICK_INTERVAL_NANOS) {
            return;
        }
        long seen = seenNow;
        int current = dataPlane.sampleRate();
        if (rateCheckSeen >= 0 && now - rateCheckNanos < SampleRateController.INTERVAL_NANOS) {
            // Between the regular decisions, only a flood's start raises N, judged on the last quarter second.
            double pps = (seen - quickCheckSeen) * 1e9 / (now - quickCheckNanos);
            int raised = rateController.quickRaise(current, pps);
            quickCheckSeen = seen;
            quickCheckNanos = now;
            if (raised != current) {
                dataPlane.setSampleRate(raised);
                rateCheckSeen = seen;
                rateCheckNanos = now;
            }
            return;
        }
        if (rateCheckSeen >= 0) {
            double pps = (seen - rateCheckSeen) * 1e9 / (now - rateCheckNanos);
            int next = rateController.next(current, pps);
            if (next != current) {
                dataPlane.setSampleRate(next);
            }
        }
        rateCheckSeen = seen;
        rateCheckNanos = now;
        quickCheckSeen = seen;
        quickCheckNanos = now;
    }

    /** Samples read from the ring buffer and handed to the exporter. */
    long samplesRead() {
        return samplesRead.get();
    }

    /** Rounds that failed (logged). */
    long failures() {
        return failures.get();
    }

    /** Asks the loop to end after its current round. */
    void stop() {
        running = false;
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
