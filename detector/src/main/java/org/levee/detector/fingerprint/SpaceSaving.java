package org.levee.detector.fingerprint;

import java.util.HashMap;
import java.util.Map;

/**
 * The Space-Saving heavy-hitters sketch (Metwally, Agrawal, El Abbadi 2005): at most
 * {@code capacity} counters; an unseen value replaces the smallest counter and inherits its
 * count as possible overestimate. Any value occurring more than n / capacity times is held, and
 * {@code count - error} is a guaranteed lower bound of its true count.
 */
public final class SpaceSaving<T> {

    /** A held value with its (over)estimated count and the bound on the overestimate. */
    public record Entry<T>(T value, long count, long error) {
        public long guaranteed() {
            return count - error;
        }
    }

    private final int capacity;
    private final Map<T, long[]> counters;

    public SpaceSaving(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("sketch capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.counters = new HashMap<>(capacity * 2);
    }

    public void offer(T value) {
        long[] counter = counters.get(value);
        if (counter != null) {
            counter[0]++;
            return;
        }
        if (counters.size() < capacity) {
            counters.put(value, new long[] {1, 0});
            return;
        }
        T smallest = null;
        long[] min = null;
        for (Map.Entry<T, long[]> e : counters.entrySet()) {
            if (min == null || e.getValue()[0] < min[0]) {
                smallest = e.getKey();
                min = e.getValue();
            }
        }
        counters.remove(smallest);
        counters.put(value, new long[] {min[0] + 1, min[0]});
    }

    /**
     * The value with the largest guaranteed count (ties broken by the value's text, so the answer
     * does not depend on hash order), or null when empty.
     */
    public Entry<T> top() {
        Entry<T> best = null;
        for (Map.Entry<T, long[]> e : counters.entrySet()) {
            Entry<T> candidate = new Entry<>(e.getKey(), e.getValue()[0], e.getValue()[1]);
            if (best == null
                    || candidate.guaranteed() > best.guaranteed()
                    || (candidate.guaranteed() == best.guaranteed()
                            && String.valueOf(candidate.value()).compareTo(String.valueOf(best.value())) < 0)) {
                best = candidate;
            }
        }
        return best;
    }

    public int size() {
        return counters.size();
    }
}
