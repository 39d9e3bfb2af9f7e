package org.levee.detector;

import org.levee.rules.IpAddress;

/**
 * An open-addressing hash table from addresses to values, for the per-sample lookup of a
 * destination's state. With thousands of destinations every lookup misses the CPU caches, so the
 * layout matters: the address bits sit inline in a {@code long[]} next to each other, and a
 * lookup touches that array, the value array and the value, where a {@code HashMap} also reads
 * a node and a key object.
 *
 * <p>The addresses are chosen by whoever sends packets, spoofers included, so the hash is keyed:
 * with a known hash, addresses picked to share a slot (easy inside an IPv6 /64) would make one
 * long probe sequence and every lookup a scan. Linear probing with backward-shift deletion: a
 * removal moves the entries after it back, so there are no tombstones and a table that forgets
 * as much as it learns never slows down.
 */
final class DestinationTable<V> {

    private static final int MAX_LOAD_PERCENT = 50;

    private final long key;
    // Per slot: high, low, version (0 = empty).
    private long[] keys;
    private Object[] values;
    private int size;

    /** A table whose hash is keyed with {@code key} (a secret: random per detector). */
    DestinationTable(long key) {
        this.key = key;
        keys = new long[3 * 1024];
        values = new Object[1024];
    }

    @SuppressWarnings("unchecked")
    V get(IpAddress address) {
        int mask = values.length - 1;
        for (int i = hash(address.version(), address.high(), address.low()) & mask; ; i = (i + 1) & mask) {
            long version = keys[3 * i + 2];
            if (version == 0) {
                return null;
            }
            if (keys[3 * i + 1] == address.low() && keys[3 * i] == address.high() && version == address.version()) {
                return (V) values[i];
            }
        }
    }

    /** Adds a value for an address that has none. */
    void put(IpAddress address, V value) {
        if ((size + 1) * 100 > values.length * MAX_LOAD_PERCENT) {
            grow();
        }
        insert(address.high(), address.low(), address.version(), value);
        size++;
    }

    /** Removes the value of {@code address}; returns whether there was one. */
    boolean remove(IpAddress address) {
        int mask = values.length - 1;
        int i = hash(address.version(), address.high(), address.low()) & mask;
        while (true) {
            long version = keys[3 * i + 2];
            if (version == 0) {
                return false;
            }
            if (keys[3 * i + 1] == address.low() && keys[3 * i] == address.high() && version == address.version()) {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward shift: every entry after the hole that could have been placed at the hole (its
        // home slot is not cyclically in (hole, j]) moves into it, and its old slot becomes the hole.
        int hole = i;
        for (int j = (hole + 1) & mask; keys[3 * j + 2] != 0; j = (j + 1) & mask) {
            int home = hash((int) keys[3 * j + 2], keys[3 * j], keys[3 * j + 1]) & mask;
            boolean homeInRange = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!homeInRange) {
                keys[3 * hole] = keys[3 * j];
                keys[3 * hole + 1] = keys[3 * j + 1];
                keys[3 * hole + 2] = keys[3 * j + 2];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[3 * hole] = 0;
        keys[3 * hole + 1] = 0;
        keys[3 * hole + 2] = 0;
        values[hole] = null;
        size--;
        return true;
    }

    /** The slot holding {@code address}, or -1 (for tests: where the secret key put it). */
    int slotOf(IpAddress address) {
        int mask = values.length - 1;
        for (int i = hash(address.version(), address.high(), address.low()) & mask; ; i = (i + 1) & mask) {
            long version = keys[3 * i + 2];
            if (version == 0) {
                return -1;
            }
            if (keys[3 * i + 1] == address.low() && keys[3 * i] == address.high() && version == address.version()) {
                return i;
            }
        }
    }

    int size() {
        return size;
    }

    /** Slots allocated (the arrays never shrink: they keep the size of the largest population). */
    int slots() {
        return values.length;
    }

    private int hash(int version, long high, long low) {
        // A keyed Murmur3 finaliser over the address: every key bit affects every slot bit.
        long h = (high ^ key) * 0x9e3779b97f4a7c15L ^ low ^ ((long) version << 58);
        h ^= Long.rotateLeft(key, 29);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }

    private void insert(long high, long low, long version, Object value) {
        int mask = values.length - 1;
        int i = hash((int) version, high, low) & mask;
        while (keys[3 * i + 2] != 0) {
            i = (i + 1) & mask;
        }
        keys[3 * i] = high;
        keys[3 * i + 1] = low;
        keys[3 * i + 2] = version;
        values[i] = value;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        for (int i = 0; i < oldValues.length; i++) {
            long version = oldKeys[3 * i + 2];
            if (version != 0) {
                insert(oldKeys[3 * i], oldKeys[3 * i + 1], version, oldValues[i]);
            }
        }
    }
}
