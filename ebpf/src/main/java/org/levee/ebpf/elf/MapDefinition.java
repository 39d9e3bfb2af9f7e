package org.levee.ebpf.elf;

/**
 * A map an object's programs use, in the layout of libbpf's legacy {@code struct bpf_map_def}
 * (five u32: type, key size, value size, max entries, flags) in the {@code maps} section. The
 * loader creates the map and gives its fd to every {@code map} relocation naming it.
 *
 * @param name       the map's symbol, the name relocations use
 * @param type       {@code enum bpf_map_type}, e.g. 2 for BPF_MAP_TYPE_ARRAY
 * @param keySize    key size in bytes
 * @param valueSize  value size in bytes
 * @param maxEntries maximum number of entries
 * @param flags      BPF_F_* map flags
 */
public record MapDefinition(String name, int type, int keySize, int valueSize, int maxEntries, int flags) {
    /** Bytes of one definition in the {@code maps} section. */
    public static final int SIZE = 20;

    public MapDefinition {
        Names.require("map", name);
    }
}
