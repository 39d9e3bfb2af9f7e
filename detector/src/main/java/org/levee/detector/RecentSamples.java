package org.levee.detector;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.Sample;
import org.levee.detector.sample.SampleDecoder;

/**
 * A destination's sample history, kept so a fingerprint can be checked against normal traffic.
 * Samples of the current second and the one before wait; a second joins the settled history
 * only once it and the second after it were both quiet, so the samples of an attack's first,
 * still undetected moments never count as normal. Each second keeps a uniform reservoir of at
 * most {@code capacity} samples; the settled history is a ring of the latest {@code capacity}.
 *
 * <p>The samples themselves are kept, not their decoded fields: the history is read rarely, when
 * an attack is fingerprinted, and decoding again then is cheaper than keeping decoded packets
 * alive.
 */
final class RecentSamples {

    /** Samples of one second, or the settled ring. */
    private static final class Slots {
        final Sample[] samples;
        int count;

        Slots(int capacity) {
            samples = new Sample[capacity];
        }

        void clear() {
            java.util.Arrays.fill(samples, 0, count, null);
            count = 0;
        }
    }

    private final int capacity;
    private final Slots settled;
    private int settledNext;
    private Slots previous;
    private boolean previousQuiet;
    private Slots current;
    private long currentSeen;

    RecentSamples(int capacity) {
        this.capacity = capacity;
        this.settled = new Slots(capacity);
        this.previous = new Slots(capacity);
        this.current = new Slots(capacity);
    }

    void add(Sample sample, SplittableRandom random) {
        if (current.count < capacity) {
            current.samples[current.count++] = sample;
        } else {
            long j = random.nextLong(currentSeen + 1);
            if (j < capacity) {
                current.samples[(int) j] = sample;
            }
        }
        currentSeen++;
    }

    /** Closes the current second: {@code quiet} says whether it had no attack or anomaly. */
    void completeSecond(boolean quiet) {
        if (previousQuiet && quiet) {
            for (int i = 0; i < previous.count; i++) {
                settled.samples[settledNext] = previous.samples[i];
                settledNext = (settledNext + 1) % capacity;
                settled.count = Math.min(settled.count + 1, capacity);
            }
        }
        Slots swap = previous;
        previous = current;
        previousQuiet = quiet;
        current = swap;
        current.clear();
        currentSeen = 0;
    }

    /**
     * The samples of the current second, and of the previous one unless it was quiet: the
     * attack's first moments. A quiet second holds normal traffic only; a flood that starts all
     * at once would otherwise find its first samples diluted by a whole second of it.
     */
    List<Sample> recent() {
        List<Sample> out = new ArrayList<>(previous.count + current.count);
        for (int i = 0; !previousQuiet && i < previous.count; i++) {
            out.add(previous.samples[i]);
        }
        for (int i = 0; i < current.count; i++) {
            out.add(current.samples[i]);
        }
        return out;
    }

    /** Forgets the waiting seconds: an attack started in them. */
    void discardRecent() {
        previousQuiet = false;
    }

    /** The settled, pre-attack history, oldest first, decoded. */
    List<DecodedPacket> settled() {
        List<DecodedPacket> out = new ArrayList<>(settled.count);
        int start = settled.count < capacity ? 0 : settledNext;
        for (int i = 0; i < settled.count; i++) {
            DecodedPacket p = SampleDecoder.decode(settled.samples[(start + i) % capacity]);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }
}
