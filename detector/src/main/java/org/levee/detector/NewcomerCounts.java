package org.levee.detector;

import java.util.Arrays;
import org.levee.rules.IpAddress;

/**
 * How many samples each untracked destination had in the current second, estimated in fixed
 * memory: a count-min sketch (rows of counters, each indexed by its own keyed hash of the
 * address; the estimate is the smallest of the address's counters) with conservative update
 * (only the counters at the minimum grow). It never underestimates, so a destination flooded
 * while the table is full is recognised after a few samples; it may overestimate when many
 * destinations share counters, which lets some of a spoofed flood's one-off addresses look
 * busier than they are (they can then take the place of a destination silent for two seconds,
 * nothing busier). Cleared at each new second.
 */
final class NewcomerCounts {

    static final int ROWS = 3;
    static final int COLUMNS = 1 << 16;

    private final int[] counters = new int[ROWS * COLUMNS];
    private final long key;
    private long second = Long.MIN_VALUE;

    NewcomerCounts(long key) {
        this.key = key;
    }

    /**
     * Counts one sample of {@code address} (a host, or with {@code aggregate} an aggregate's
     * network address) in {@code second} and returns the estimate of its samples in that second,
     * this one included.
     */
    int add(IpAddress address, boolean aggregate, long second) {
        if (second != this.second) {
            Arrays.fill(counters, 0);
            this.second = second;
        }
        long h = mix(address.high() ^ key, address.low() ^ (aggregate ? 0x5bd1e995L : 0), address.version());
        int a = (int) h & (COLUMNS - 1);
        int b = COLUMNS + ((int) (h >>> 20) & (COLUMNS - 1));
        int c = 2 * COLUMNS + ((int) (h >>> 40) & (COLUMNS - 1));
        int min = Math.min(counters[a], Math.min(counters[b], counters[c])) + 1;
        counters[a] = Math.max(counters[a], min);
        counters[b] = Math.max(counters[b], min);
        counters[c] = Math.max(counters[c], min);
        return min;
    }

    private long mix(long high, long low, int version) {
        long h = high * 0x9e3779b97f4a7c15L ^ low ^ ((long) version << 58) ^ Long.rotateLeft(key, 17);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
