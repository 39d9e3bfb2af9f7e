package org.levee.store.etcd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A set of keys as etcd addresses it: one key, or every key that starts with a prefix.
 *
 * @param start the key, or the prefix
 * @param prefix true for every key starting with {@code start}
 */
public record KeyRange(String start, boolean prefix) {

    public KeyRange {
        if (start == null || start.isEmpty()) {
            throw new IllegalArgumentException("key range: empty key or prefix");
        }
    }

    /** Exactly one key. */
    public static KeyRange key(String key) {
        return new KeyRange(key, false);
    }

    /** Every key starting with {@code prefix}. */
    public static KeyRange prefix(String prefix) {
        return new KeyRange(prefix, true);
    }

    /** True when {@code key} is in this range. */
    public boolean contains(String key) {
        return prefix ? key.startsWith(start) : key.equals(start);
    }

    byte[] startBytes() {
        return start.getBytes(StandardCharsets.UTF_8);
    }

    /** etcd's range_end: empty for one key; for a prefix, the prefix with its last byte below 0xff incremented. */
    byte[] endBytes() {
        return prefix ? prefixEnd(startBytes()) : new byte[0];
    }

    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0}; // every byte 0xff: to the end of the key space
    }

    @Override
    public String toString() {
        return prefix ? start + "*" : start;
    }
}
