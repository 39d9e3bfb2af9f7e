package org.levee.ebpf.asm;

import java.util.Objects;

/**
 * An instruction whose final form is not known when the program is assembled: an LD_IMM64 of a
 * patchable constant (e.g. {@code rule_7_enabled}) or of a map whose file descriptor exists only
 * at load time, or a guard jump that a constant turns on or off.
 *
 * @param slot   slot index of the instruction (its byte offset is {@code slot * 8})
 * @param symbol name of the constant or map
 * @param kind   what the symbol decides
 */
public record Relocation(int slot, String symbol, Kind kind) {

    public enum Kind {
        /** The 64-bit value of the LD_IMM64 itself (src 0). */
        CONSTANT,
        /** A map file descriptor (src BPF_PSEUDO_MAP_FD). */
        MAP,
        /**
         * A guard in front of a block of code, decided by a constant: the site holds
         * {@code if rX >= 0 goto skip} (see {@link #isGuardJump}), kept while the constant is 0
         * and replaced by {@code goto +0} otherwise. Why a jump and not an LD_IMM64: once the
         * constant is known, the kernel's verifier (privileged load) deletes both forms and the
         * guard costs nothing. {@code rX >= 0} (unsigned) holds for every scalar, so the verifier
         * sees the jump always taken, never visits the block, deletes it as dead code and the
         * jump, left with offset 0, as a no-op; {@code goto +0} is a no-op from the start. An
         * unconditional {@code goto skip} cannot be the disabled form: the verifier's control-flow
         * check refuses the block it makes unreachable ("unreachable insn").
         */
        GUARD
    }

    public Relocation {
        if (slot < 0) {
            throw new IllegalArgumentException("relocation slot " + slot + " is negative");
        }
        Objects.requireNonNull(kind, "kind");
        Assembler.requireName("symbol", symbol);
    }

    private static final int GUARD_OPCODE = Instruction.jump(JumpOp.JGE, Register.R0, 0, 0).opcode();

    /**
     * True for the disabled form of a {@link Kind#GUARD}: {@code if rX >= 0 goto +off}, a 64-bit
     * unsigned comparison with the immediate 0, jumping forward or to the next instruction.
     */
    public static boolean isGuardJump(Instruction instruction) {
        return instruction.opcode() == GUARD_OPCODE && instruction.src() == 0 && instruction.imm() == 0 && instruction.offset() >= 0;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case MAP -> "map '";
            case CONSTANT -> "constant '";
            case GUARD -> "guard '";
        } + symbol + "' at slot " + slot;
    }
}
