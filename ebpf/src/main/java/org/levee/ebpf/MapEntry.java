package org.levee.ebpf;

import java.util.Arrays;
import java.util.HexFormat;

/** One key and its value as read from a map (for per-CPU maps, every CPU's value back to back). */
public record MapEntry(byte[] key, byte[] value) {
    @Override
    public boolean equals(Object o) {
        return o instanceof MapEntry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(key) + "=" + HexFormat.of().formatHex(value);
    }
}
