package org.levee.ebpf.asm;

/**
 * Operand source of ALU and jump instructions (bit 3 of the opcode): the immediate (K) or the
 * source register (X). For the byte-swap operation the same bit selects the target byte order
 * (TO_LE = K, TO_BE = X).
 */
public enum Source {
    K(0x00),
    X(0x08);

    /** Mask of the source bit in an opcode. */
    public static final int MASK = 0x08;

    private final int bits;

    Source(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    public static Source of(int opcode) {
        return (opcode & MASK) == 0 ? K : X;
    }
}
