package org.levee.controller.detect;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.levee.detector.Decision;
import org.levee.detector.Detector;
import org.levee.rules.AttackEvidence;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.Rule;
import org.levee.rules.Sample;

/**
 * The controller's one detector, over the samples of every agent together, behind one lock: the
 * collector's thread feeds it samples, a timer lets its clock advance (an attack that stops sends
 * no samples) and collects its decisions, the leader's work adopts and forgets rules. The lock is
 * held for one sample or one step at a time and never while talking to etcd.
 *
 * <p>Its clock is the samples' receive time (nanoseconds, monotonic). Samples from several
 * agents arrive interleaved and the detector needs a clock that never goes back, so a sample
 * stamped before the latest one is taken at the latest one's time.
 */
public final class DetectionEngine {
    private final Detector detector;
    private final ReentrantLock lock = new ReentrantLock();
    private long clockNanos;
    private volatile long samples;
    private volatile long undecodable;
    private volatile int tracked;
    private volatile long inAggregateOnly;
    private volatile long uncounted;
    private volatile long forgotten;

    public DetectionEngine(Detector detector) {
        this.detector = Objects.requireNonNull(detector, "detector");
    }

    /** Processes one sample (any thread; in practice the collector's). */
    public void accept(Sample sample) {
        lock.lock();
        try {
            long t = sample.timestampNanos();
            if (t < clockNanos) {
                sample = sample.withTimestamp(clockNanos);
            } else {
                clockNanos = t;
            }
            detector.accept(sample);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets the detector's clock reach {@code nowNanos} (ending attacks whose traffic stopped) and
     * returns what it decided since the last call.
     */
    public List<Decision> tick(long nowNanos) {
        lock.lock();
        try {
            clockNanos = Math.max(clockNanos, nowNanos);
            detector.advanceTo(clockNanos);
            samples = detector.samplesSeen();
            undecodable = detector.samplesUndecodable();
            tracked = detector.trackedDestinations();
            inAggregateOnly = detector.samplesInAggregateOnly();
            uncounted = detector.samplesUncounted();
            forgotten = detector.destinationsForgotten();
            return detector.drainDecisions();
        } finally {
            lock.unlock();
        }
    }

    /** {@link Detector#adopt}, under the lock. */
    public Detector.Adoption adopt(Rule rule, AttackEvidence evidence) {
        lock.lock();
        try {
            return detector.adopt(rule, evidence);
        } finally {
            lock.unlock();
        }
    }

    /** {@link Detector#forget}, under the lock. */
    public boolean forget(String ruleId) {
        lock.lock();
        try {
            return detector.forget(ruleId);
        } finally {
            lock.unlock();
        }
    }

    /** The rules the detector has in force (its own and adopted ones). */
    public List<Rule> rules() {
        lock.lock();
        try {
            return detector.rules();
        } finally {
            lock.unlock();
        }
    }

    /** The attacks under way. */
    public List<Detector.AttackState> attacks() {
        lock.lock();
        try {
            return detector.attacks();
        } finally {
            lock.unlock();
        }
    }

    /** {@link Detector#legitimateTraffic}, under the lock: what the rule guard checks manual rules against. */
    public LegitimateTraffic legitimateTraffic() {
        lock.lock();
        try {
            return detector.legitimateTraffic();
        } finally {
            lock.unlock();
        }
    }

    /** The detector's clock now. */
    public long clockNanos() {
        lock.lock();
        try {
            return clockNanos;
        } finally {
            lock.unlock();
        }
    }

    /** Samples the detector has seen, as of the last {@link #tick}. */
    public long samplesSeen() {
        return samples;
    }

    /** Samples it could not decode (not IP, cut short), as of the last {@link #tick}. */
    public long samplesUndecodable() {
        return undecodable;
    }

    /** Destinations it tracks, as of the last {@link #tick}. */
    public int trackedDestinations() {
        return tracked;
    }

    /** Samples counted in their aggregate only (the table of destinations was full), as of the last {@link #tick}. */
    public long samplesInAggregateOnly() {
        return inAggregateOnly;
    }

    /** Samples counted nowhere (not even their aggregate had room), as of the last {@link #tick}. */
    public long samplesUncounted() {
        return uncounted;
    }

    /** Destinations forgotten (idle, or making room for a busier one), as of the last {@link #tick}. */
    public long destinationsForgotten() {
        return forgotten;
    }
}
