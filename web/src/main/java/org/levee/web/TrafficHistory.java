package org.levee.web;

import java.util.ArrayList;
import java.util.List;

/**
 * The last points of traffic, oldest first, in a ring of fixed size: memory stays bounded however
 * long the server runs (600 points, ten minutes at one a second, are about 40 kB). Safe for one
 * writer and any number of readers.
 */
public final class TrafficHistory {
    /** Ten minutes at one point a second. */
    public static final int DEFAULT_CAPACITY = 600;

    private final TrafficPoint[] ring;
    private int next;
    private int size;

    public TrafficHistory() {
        this(DEFAULT_CAPACITY);
    }

    public TrafficHistory(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity: at least 2 points, not " + capacity);
        }
        this.ring = new TrafficPoint[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    /**
     * Adds the newest point, forgetting the oldest when full.
     *
     * @throws IllegalArgumentException when {@code point} is not later than the newest point
     */
    public synchronized void add(TrafficPoint point) {
        if (size > 0) {
            TrafficPoint newest = ring[(next + ring.length - 1) % ring.length];
            if (point.epochMillis() <= newest.epochMillis()) {
                throw new IllegalArgumentException("epochMillis: " + point.epochMillis()
                        + " is not later than the newest point's " + newest.epochMillis());
            }
        }
        ring[next] = point;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** Every point kept, oldest first. */
    public List<TrafficPoint> points() {
        return since(Long.MIN_VALUE);
    }

    /** The points later than {@code epochMillis}, oldest first. */
    public synchronized List<TrafficPoint> since(long epochMillis) {
        List<TrafficPoint> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            TrafficPoint p = ring[(next - size + i + ring.length) % ring.length];
            if (p.epochMillis() > epochMillis) {
                out.add(p);
            }
        }
        return out;
    }
}
