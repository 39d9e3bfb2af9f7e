package org.levee.ebpf.asm;

import java.util.Optional;

/** Operation of JMP and JMP32 instructions: bits 4–7 of the opcode. */
public enum JumpOp {
    /** Unconditional jump: {@code goto} (JMP, 16-bit offset) or {@code gotol} (JMP32, 32-bit immediate). */
    JA(0x00, null),
    JEQ(0x10, "=="),
    JGT(0x20, ">"),
    JGE(0x30, ">="),
    JSET(0x40, "&"),
    JNE(0x50, "!="),
    JSGT(0x60, "s>"),
    JSGE(0x70, "s>="),
    CALL(0x80, null),
    EXIT(0x90, null),
    JLT(0xa0, "<"),
    JLE(0xb0, "<="),
    JSLT(0xc0, "s<"),
    JSLE(0xd0, "s<="),
    /** Conditional pseudo jump; the only one is {@code may_goto} (src 0). */
    JCOND(0xe0, null);

    /** Mask of the operation bits in an opcode. */
    public static final int MASK = 0xf0;

    private final int bits;
    private final String comparison;

    JumpOp(int bits, String comparison) {
        this.bits = bits;
        this.comparison = comparison;
    }

    public int bits() {
        return bits;
    }

    /** True for the operations that compare dst with src or imm. */
    public boolean isConditional() {
        return comparison != null;
    }

    /** The comparison operator as the kernel's disassembler prints it, e.g. {@code ==}. */
    public String comparison() {
        if (comparison == null) {
            throw new IllegalStateException(this + " is not a comparison");
        }
        return comparison;
    }

    /** The operation of a jump opcode, empty for the undefined 0xf0. */
    public static Optional<JumpOp> of(int opcode) {
        int bits = opcode & MASK;
        for (JumpOp op : values()) {
            if (op.bits == bits) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }
}
