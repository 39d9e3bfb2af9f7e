package org.levee.detector;

import org.levee.rules.IpAddress;

/**
 * An open-addressing hash table from addresses to values, for the per-sample lookup of a
 * destination's state. With thousands of destinations every lookup misses the CPU caches, so the
 * layout matters: the address bits sit inline in a {@code long[]} next to each other, and a
 * lookup touches that array, the value array and the value, where a {@code HashMap} also reads
 * a node and a key object.
 */
final class DestinationTable<V> {

    private static final int MAX_LOAD_PERCENT = 50;

    // Per slot: high, low, version (0 = empty).
    private long[] keys;
    private Object[] values;
    private int size;

    DestinationTable() {
        keys = new long[3 * 1024];
        values = new Object[1024];
    }

    @SuppressWarnings("unchecked")
    V get(IpAddress address) {
        int mask = values.length - 1;
        for (int i = address.hashCode() & mask; ; i = (i + 1) & mask) {
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
        insert(address.high(), address.low(), address.version(), address.hashCode(), value);
        size++;
    }

    int size() {
        return size;
    }

    private void insert(long high, long low, long version, int hash, Object value) {
        int mask = values.length - 1;
        int i = hash & mask;
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
                IpAddress a = new IpAddress((int) version, oldKeys[3 * i], oldKeys[3 * i + 1]);
                insert(a.high(), a.low(), version, a.hashCode(), oldValues[i]);
            }
        }
    }
}
