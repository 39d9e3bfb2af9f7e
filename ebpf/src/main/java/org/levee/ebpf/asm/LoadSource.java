package org.levee.ebpf.asm;

import java.util.Optional;

/**
 * What the 64-bit immediate of an LD_IMM64 instruction means, carried in its src field
 * (BPF_PSEUDO_* in include/uapi/linux/bpf.h).
 */
public enum LoadSource {
    /** A plain 64-bit constant. */
    CONSTANT(0),
    /** BPF_PSEUDO_MAP_FD: the low 32 bits are a map fd, loaded as the map's address. */
    MAP_FD(1),
    /** BPF_PSEUDO_MAP_VALUE: low 32 bits a map fd, high 32 bits an offset into its value (array maps). */
    MAP_VALUE(2),
    /** BPF_PSEUDO_BTF_ID: the address of a kernel variable given by BTF id. */
    BTF_ID(3),
    /** BPF_PSEUDO_FUNC: the address of a BPF subprogram, the immediate a relative instruction offset. */
    FUNC(4),
    /** BPF_PSEUDO_MAP_IDX: an index into the fd_array given at load time. */
    MAP_IDX(5),
    /** BPF_PSEUDO_MAP_IDX_VALUE: like MAP_VALUE with a fd_array index. */
    MAP_IDX_VALUE(6);

    private final int value;

    LoadSource(int value) {
        this.value = value;
    }

    /** The value of the instruction's src field. */
    public int value() {
        return value;
    }

    public static Optional<LoadSource> of(int value) {
        for (LoadSource source : values()) {
            if (source.value == value) {
                return Optional.of(source);
            }
        }
        return Optional.empty();
    }
}
