package org.levee.detector.fingerprint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.detector.sample.DecodedPacket;

/**
 * The bounded-memory summary of one attack's samples, updated one sample at a time: a
 * Space-Saving sketch per field (which value dominates, and is any value dominant at all) and a
 * uniform reservoir of decoded samples (Vitter's algorithm R) to measure how often several
 * dominant values occur together. Memory is fixed by the sketch capacity and reservoir size,
 * whatever the attack's length. The reservoir's random choices come from a seeded generator, so
 * the same samples always give the same summary.
 */
public final class AttackSamples {

    private static final Field[] FIELDS = Field.values();

    private final List<SpaceSaving<Object>> sketches = new ArrayList<>();
    private final DecodedPacket[] reservoir;
    private final SplittableRandom random;
    private long seen;

    public AttackSamples(int sketchCapacity, int reservoirSize, long seed) {
        if (reservoirSize < 1) {
            throw new IllegalArgumentException("reservoir size must be at least 1, not " + reservoirSize);
        }
        for (int i = 0; i < FIELDS.length; i++) {
            sketches.add(new SpaceSaving<>(sketchCapacity));
        }
        this.reservoir = new DecodedPacket[reservoirSize];
        this.random = new SplittableRandom(seed);
    }

    public void offer(DecodedPacket p) {
        for (int i = 0; i < FIELDS.length; i++) {
            Object value = FIELDS[i].valueOf(p);
            if (value != null) {
                sketches.get(i).offer(value);
            }
        }
        if (seen < reservoir.length) {
            reservoir[(int) seen] = p;
        } else {
            long j = random.nextLong(seen + 1);
            if (j < reservoir.length) {
                reservoir[(int) j] = p;
            }
        }
        seen++;
    }

    /** How many samples were offered. */
    public long seen() {
        return seen;
    }

    /** The dominant value of a field, or null when the field never had a value. */
    public SpaceSaving.Entry<Object> top(Field field) {
        return sketches.get(field.ordinal()).top();
    }

    /** The reservoir's samples (a uniform random subset of all offered, all while few). */
    public List<DecodedPacket> reservoir() {
        return Arrays.asList(Arrays.copyOf(reservoir, (int) Math.min(seen, reservoir.length)));
    }
}
