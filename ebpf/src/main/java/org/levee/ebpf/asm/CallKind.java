package org.levee.ebpf.asm;

import java.util.Optional;

/** What a CALL instruction's immediate names, carried in its src field. */
public enum CallKind {
    /** A helper function by id ({@link Helper}). */
    HELPER(0),
    /** BPF_PSEUDO_CALL: a BPF subprogram, the immediate a relative instruction offset. */
    SUBPROGRAM(1),
    /** BPF_PSEUDO_KFUNC_CALL: a kernel function by BTF id; the offset indexes fd_array for module BTF. */
    KFUNC(2);

    private final int value;

    CallKind(int value) {
        this.value = value;
    }

    /** The value of the instruction's src field. */
    public int value() {
        return value;
    }

    public static Optional<CallKind> of(int value) {
        for (CallKind kind : values()) {
            if (kind.value == value) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
