package org.levee.ebpf;

import org.levee.ebpf.internal.ObjectName;

/**
 * What {@link BpfMap#create} makes: type, name (≤ 15 characters), key and value sizes in bytes,
 * maximum entries and {@code map_flags}.
 */
public record MapSpec(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags) {
    /** {@code BPF_F_NO_PREALLOC}: required for LPM tries, optional for hashes. */
    public static final int F_NO_PREALLOC = 1;
    /** {@code BPF_F_RDONLY_PROG}: programs may only read the map (after freezing, its values are constants). */
    public static final int F_RDONLY_PROG = 1 << 7;

    public MapSpec {
        if (type == null) {
            throw new IllegalArgumentException("map type is null");
        }
        ObjectName.check(name, "map");
        if (keySize < 0 || valueSize < 0) {
            throw new IllegalArgumentException(
                    "map '" + name + "': negative key size " + keySize + " or value size " + valueSize);
        }
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("map '" + name + "': max entries must be positive, got " + maxEntries);
        }
        if (type == MapType.LPM_TRIE && (flags & F_NO_PREALLOC) == 0) {
            throw new IllegalArgumentException(
                    "map '" + name + "': an LPM trie needs F_NO_PREALLOC (use MapSpec.lpmTrie)");
        }
    }

    public static MapSpec of(MapType type, String name, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, type == MapType.LPM_TRIE ? F_NO_PREALLOC : 0);
    }

    public static MapSpec array(String name, int valueSize, int maxEntries) {
        return of(MapType.ARRAY, name, 4, valueSize, maxEntries);
    }

    public static MapSpec perCpuArray(String name, int valueSize, int maxEntries) {
        return of(MapType.PERCPU_ARRAY, name, 4, valueSize, maxEntries);
    }

    public static MapSpec hash(String name, int keySize, int valueSize, int maxEntries) {
        return of(MapType.HASH, name, keySize, valueSize, maxEntries);
    }

    /**
     * An LPM trie whose keys are a 4-byte prefix length followed by {@code dataSize} bytes of
     * address (4 for IPv4, 16 for IPv6); see {@link LpmKey}.
     */
    public static MapSpec lpmTrie(String name, int dataSize, int valueSize, int maxEntries) {
        return of(MapType.LPM_TRIE, name, 4 + dataSize, valueSize, maxEntries);
    }

    /** A program array (tail-call table) with 4-byte keys and values. */
    public static MapSpec programArray(String name, int maxEntries) {
        return of(MapType.PROG_ARRAY, name, 4, 4, maxEntries);
    }

    /** A BPF ring buffer of {@code bytes} bytes: a power of 2 and a multiple of the page size. */
    public static MapSpec ringBuffer(String name, int bytes) {
        if (Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("ring buffer '" + name + "': size " + bytes + " is not a power of 2");
        }
        return of(MapType.RINGBUF, name, 0, 0, bytes);
    }

    public MapSpec withFlags(int newFlags) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, newFlags);
    }
}
