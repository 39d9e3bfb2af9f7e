package org.levee.ebpf;

/** BPF map types ({@code enum bpf_map_type}), with their kernel numbers. */
public enum MapType {
    HASH(1),
    ARRAY(2),
    PROG_ARRAY(3),
    PERF_EVENT_ARRAY(4),
    PERCPU_HASH(5),
    PERCPU_ARRAY(6),
    STACK_TRACE(7),
    CGROUP_ARRAY(8),
    LRU_HASH(9),
    LRU_PERCPU_HASH(10),
    LPM_TRIE(11),
    ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13),
    DEVMAP(14),
    SOCKMAP(15),
    CPUMAP(16),
    XSKMAP(17),
    SOCKHASH(18),
    QUEUE(22),
    STACK(23),
    DEVMAP_HASH(25),
    RINGBUF(27),
    BLOOM_FILTER(30);

    private final int number;

    MapType(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** True when each CPU has its own value: user space reads and writes all of them at once. */
    public boolean perCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH;
    }

    /** The type with kernel number {@code number}. */
    public static MapType of(int number) {
        for (MapType t : values()) {
            if (t.number == number) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown BPF map type number " + number);
    }
}
