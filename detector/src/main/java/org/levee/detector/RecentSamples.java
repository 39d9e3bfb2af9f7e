package org.levee.detector;

import java.util.ArrayList;
import java.util.List;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.SampleDecoder;
import org.levee.rules.Sample;

/**
 * A destination's sample history, kept so a fingerprint can be checked against normal traffic.
 * Samples of the current second and the one before wait; a second joins the settled history
 * only once it and the second after it were both quiet, so the samples of an attack's first,
 * still undetected moments never count as normal. Each second keeps its first {@code perSecond}
 * samples (samples arrive in random order, so they are as good as any), so that a busy
 * destination's history spans many seconds and most of its samples never touch the history;
 * the settled history is a ring of the latest {@code capacity}.
 *
 * <p>The samples themselves are kept, not their decoded fields: the history is read rarely, when
 * an attack is fingerprinted, and decoding again then is cheaper than keeping decoded packets
 * alive.
 */
final class RecentSamples {

    // Plain arrays and counts, swapped each second: adding a sample touches one array.
    private final int capacity;
    private final int perSecond;
    /** Allocated at the first settled sample: most destinations a spoofed flood brings never get one. */
    private Sample[] settled;

    private int settledCount;
    private int settledNext;
    private Sample[] previous;
    private int previousCount;
    private boolean previousQuiet;
    private Sample[] current;
    private int currentCount;

    RecentSamples(int capacity, int perSecond) {
        this.capacity = capacity;
        this.perSecond = perSecond;
        this.current = new Sample[perSecond]; // the one written per sample, allocated first
        this.previous = new Sample[perSecond];
    }

    void add(Sample sample) {
        if (currentCount < perSecond) {
            current[currentCount++] = sample;
        }
    }

    /** Closes the current second: {@code quiet} says whether it had no attack or anomaly. */
    void completeSecond(boolean quiet) {
        if (previousQuiet && quiet && previousCount > 0) {
            if (settled == null) {
                settled = new Sample[capacity];
            }
            for (int i = 0; i < previousCount; i++) {
                settled[settledNext] = previous[i];
                settledNext = (settledNext + 1) % capacity;
                settledCount = Math.min(settledCount + 1, capacity);
            }
        }
        Sample[] swap = previous;
        int swapCount = previousCount;
        previous = current;
        previousCount = currentCount;
        previousQuiet = quiet;
        current = swap;
        java.util.Arrays.fill(current, 0, swapCount, null);
        currentCount = 0;
    }

    /**
     * The samples of the current second, and of the previous one unless it was quiet: the
     * attack's first moments. A quiet second holds normal traffic only; a flood that starts all
     * at once would otherwise find its first samples diluted by a whole second of it.
     */
    List<Sample> recent() {
        List<Sample> out = new ArrayList<>(previousCount + currentCount);
        for (int i = 0; !previousQuiet && i < previousCount; i++) {
            out.add(previous[i]);
        }
        for (int i = 0; i < currentCount; i++) {
            out.add(current[i]);
        }
        return out;
    }

    /** Forgets the waiting seconds: an attack started in them. */
    void discardRecent() {
        previousQuiet = false;
    }

    /** The settled, pre-attack history, oldest first, decoded. */
    List<DecodedPacket> settled() {
        List<DecodedPacket> out = new ArrayList<>(settledCount);
        int start = settledCount < capacity ? 0 : settledNext;
        for (int i = 0; i < settledCount; i++) {
            DecodedPacket p = SampleDecoder.decode(settled[(start + i) % capacity]);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }
}
