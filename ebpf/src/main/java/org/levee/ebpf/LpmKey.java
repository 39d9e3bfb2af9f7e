package org.levee.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A key of an LPM trie: the prefix length in bits (host byte order) followed by the address bytes
 * in network byte order ({@code struct bpf_lpm_trie_key}).
 */
public record LpmKey(int prefixLength, byte[] data) {
    public LpmKey {
        if (prefixLength < 0 || prefixLength > data.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + data.length * 8
                    + " for " + data.length + " bytes of address");
        }
        data = data.clone();
    }

    /** The key's bytes as the kernel expects them. */
    public byte[] encode() {
        return ByteBuffer.allocate(4 + data.length)
                .order(ByteOrder.nativeOrder())
                .putInt(prefixLength)
                .put(data)
                .array();
    }

    /** The address bytes (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LpmKey k && k.prefixLength == prefixLength && Arrays.equals(k.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * prefixLength + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(data) + "/" + prefixLength;
    }
}
