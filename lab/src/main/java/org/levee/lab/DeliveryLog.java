package org.levee.lab;

import java.util.Arrays;
import java.util.BitSet;

/**
 * What happened to each legitimate request, by sequence number: when it was sent
 * ({@link System#nanoTime()}), whether the server received it, whether its answer came back.
 * Windows are by send time, so a request lost during an attack counts in the window it was sent
 * in. Thread-safe: the sender, the server and the answer readers write, the demo reads.
 */
public final class DeliveryLog {
    private long[] sentAt = new long[1 << 14];
    private int sent;
    private final BitSet delivered = new BitSet();
    private final BitSet answered = new BitSet();
    private long unknown;

    /** Nothing sent yet. */
    public DeliveryLog() {}

    /** Records a request sent now; returns its sequence number. */
    public synchronized int sent(long nanoTime) {
        if (sent > 0 && nanoTime < sentAt[sent - 1]) {
            throw new IllegalArgumentException("request " + sent + " sent at " + nanoTime + " before request "
                    + (sent - 1) + " at " + sentAt[sent - 1]);
        }
        if (sent == sentAt.length) {
            sentAt = Arrays.copyOf(sentAt, sentAt.length * 2);
        }
        sentAt[sent] = nanoTime;
        return sent++;
    }

    /** The server received request {@code sequence}; false (and counted as unknown) if it was never sent. */
    public synchronized boolean delivered(long sequence) {
        if (sequence < 0 || sequence >= sent) {
            unknown++;
            return false;
        }
        delivered.set((int) sequence);
        return true;
    }

    /** The answer to request {@code sequence} came back; false (and counted as unknown) if it was never delivered. */
    public synchronized boolean answered(long sequence) {
        if (sequence < 0 || sequence >= sent || !delivered.get((int) sequence)) {
            unknown++;
            return false;
        }
        answered.set((int) sequence);
        return true;
    }

    /** Counts of the requests sent in [{@code fromNanos}, {@code toNanos}) ({@link System#nanoTime()} values). */
    public synchronized DeliveryCounts window(long fromNanos, long toNanos) {
        int first = firstSentAtOrAfter(fromNanos);
        int end = firstSentAtOrAfter(toNanos);
        if (end <= first) {
            return new DeliveryCounts(0, 0, 0);
        }
        return new DeliveryCounts(
                end - first,
                delivered.get(first, end).cardinality(),
                answered.get(first, end).cardinality());
    }

    /** Counts of every request sent so far. */
    public synchronized DeliveryCounts total() {
        return new DeliveryCounts(sent, delivered.cardinality(), answered.cardinality());
    }

    /** Datagrams that carried a sequence number never sent (or an answer to one never delivered). */
    public synchronized long unknown() {
        return unknown;
    }

    private int firstSentAtOrAfter(long nanoTime) {
        int low = 0;
        int high = sent;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (sentAt[mid] - nanoTime < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
