package org.levee.detector;

/**
 * Tracked destinations in the order they were last seen, to the second: the least recently seen
 * first. A destination moves to the newest end at its first sample of a second (not at every
 * sample: a busy destination costs nothing more), so the list is ordered by last-seen second and
 * the oldest entry is at hand in O(1) for idle forgetting and for making room. Intrusive (the
 * links live in the entries): no node objects, no allocation. Only destinations that may be
 * forgotten are listed; one under attack, or an aggregate with tracked hosts, is taken out.
 */
final class Recency<E extends Recency.Entry<E>> {

    /** What a listed destination carries: its links and the second it was last seen. */
    abstract static class Entry<E extends Entry<E>> {
        E older;
        E newer;
        boolean listed;
        /** The second of its latest sample (or of the moment it became forgettable). */
        long lastSecond = Long.MIN_VALUE;
    }

    private E oldest;
    private E newest;
    private int size;

    /** Moves {@code e} to the newest end as seen in {@code second} (lists it when it was not). */
    void touch(E e, long second) {
        e.lastSecond = second;
        if (e.listed) {
            if (e == newest) {
                return;
            }
            unlink(e);
        }
        e.older = newest;
        e.newer = null;
        if (newest != null) {
            newest.newer = e;
        } else {
            oldest = e;
        }
        newest = e;
        e.listed = true;
        size++;
    }

    /** Takes {@code e} out of the list (no-op when it is not listed). */
    void remove(E e) {
        if (e.listed) {
            unlink(e);
        }
    }

    /** The least recently seen listed entry, or null. */
    E oldest() {
        return oldest;
    }

    int size() {
        return size;
    }

    private void unlink(E e) {
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        e.older = null;
        e.newer = null;
        e.listed = false;
        size--;
    }
}
