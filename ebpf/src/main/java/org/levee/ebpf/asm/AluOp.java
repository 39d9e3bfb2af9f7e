package org.levee.ebpf.asm;

import java.util.Optional;

/** Arithmetic operation of ALU and ALU64 instructions: bits 4–7 of the opcode. */
public enum AluOp {
    ADD(0x00, "+="),
    SUB(0x10, "-="),
    MUL(0x20, "*="),
    /** Unsigned division; signed when the offset is 1 (cpu v4). */
    DIV(0x30, "/="),
    OR(0x40, "|="),
    AND(0x50, "&="),
    LSH(0x60, "<<="),
    RSH(0x70, ">>="),
    NEG(0x80, "neg"),
    /** Unsigned modulo; signed when the offset is 1 (cpu v4). */
    MOD(0x90, "%="),
    XOR(0xa0, "^="),
    /** Move; sign-extending from 8/16/32 bits when the offset says so (cpu v4). */
    MOV(0xb0, "="),
    ARSH(0xc0, "s>>="),
    /** Byte swap: BPF_END. In ALU, to little or big endian; in ALU64, unconditional (cpu v4). */
    END(0xd0, "endian");

    /** Mask of the operation bits in an opcode. */
    public static final int MASK = 0xf0;

    private final int bits;
    private final String symbol;

    AluOp(int bits, String symbol) {
        this.bits = bits;
        this.symbol = symbol;
    }

    public int bits() {
        return bits;
    }

    /** The operator as the kernel's disassembler prints it, e.g. {@code +=}. */
    public String symbol() {
        return symbol;
    }

    /** The operation of an ALU opcode, empty for the undefined 0xe0 and 0xf0. */
    public static Optional<AluOp> of(int opcode) {
        int bits = opcode & MASK;
        for (AluOp op : values()) {
            if (op.bits == bits) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }
}
