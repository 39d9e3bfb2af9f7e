package org.levee.ebpf.asm;

import java.util.Optional;

/** Addressing mode of a load or store: bits 5–7 of the opcode. */
public enum Mode {
    /** 64-bit immediate load (LD | DW only, two slots). */
    IMM(0x00),
    /** Legacy packet load at a constant offset (cBPF compatibility, socket filters). */
    ABS(0x20),
    /** Legacy packet load at a register plus constant offset. */
    IND(0x40),
    /** Regular memory access. */
    MEM(0x60),
    /** Sign-extending memory load (cpu v4, LDX only). */
    MEMSX(0x80),
    /** Atomic operation on memory (STX only), the operation in the immediate. */
    ATOMIC(0xc0);

    /** Mask of the mode bits in an opcode. */
    public static final int MASK = 0xe0;

    private final int bits;

    Mode(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** The mode of a load/store opcode, empty for the undefined modes 0xa0 and 0xe0. */
    public static Optional<Mode> of(int opcode) {
        int bits = opcode & MASK;
        for (Mode mode : values()) {
            if (mode.bits == bits) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
