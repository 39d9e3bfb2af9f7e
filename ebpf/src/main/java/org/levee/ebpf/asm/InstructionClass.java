package org.levee.ebpf.asm;

/** The instruction class: the low three bits of the opcode. */
public enum InstructionClass {
    LD(0x00),
    LDX(0x01),
    ST(0x02),
    STX(0x03),
    ALU(0x04),
    JMP(0x05),
    JMP32(0x06),
    ALU64(0x07);

    /** Mask of the class bits in an opcode. */
    public static final int MASK = 0x07;

    private static final InstructionClass[] BY_BITS = values();

    private final int bits;

    InstructionClass(int bits) {
        this.bits = bits;
    }

    /** The class bits as they appear in the opcode. */
    public int bits() {
        return bits;
    }

    /** The class of {@code opcode}; every 3-bit value is a class. */
    public static InstructionClass of(int opcode) {
        return BY_BITS[opcode & MASK];
    }

    /** True for LD, LDX, ST, STX: opcodes made of class, size and mode. */
    public boolean isLoadOrStore() {
        return bits <= STX.bits;
    }

    /** True for ALU and ALU64: opcodes made of class, source and operation. */
    public boolean isAlu() {
        return this == ALU || this == ALU64;
    }

    /** True for JMP and JMP32: opcodes made of class, source and operation. */
    public boolean isJump() {
        return this == JMP || this == JMP32;
    }
}
