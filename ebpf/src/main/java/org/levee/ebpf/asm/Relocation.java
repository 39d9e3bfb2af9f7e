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
         * {@code if rX >= 0 goto skip} (see {@link #isGuardJump}), kept while the constant is 0;
         * otherwise it becomes {@code goto +0}, or, when nothing else reaches {@code skip}, the
         * never-taken {@code if rX < 0 goto skip} ({@link #enabledForm}; chosen by
         * {@link AssembledProgram#resolve}). Why a jump and not an LD_IMM64: once the constant is
         * known, the kernel's verifier (privileged load) deletes every form and the guard costs
         * nothing. For every scalar rX, {@code rX >= 0} (unsigned) always holds and {@code rX < 0}
         * never does, so the verifier explores one side only, makes the jump a {@code goto} of the
         * side it took when the other side is reached from nowhere else (else the never-taken
         * form would stay: hence {@code goto +0} whenever it will do), deletes the dead side's code,
         * and then the {@code goto}, left pointing at the next instruction, as a no-op. The
         * conditional forms keep the edge to {@code skip} in the program's control flow: the
         * verifier's first check refuses code no jump or fall-through reaches ("unreachable
         * insn") before it looks at any value, which rules out an unconditional
         * {@code goto skip} for the disabled form.
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

    private static final int GUARD_OPCODE =
            Instruction.jump(JumpOp.JGE, Register.R0, 0, 0).opcode();

    /**
     * True for the disabled form of a {@link Kind#GUARD}: {@code if rX >= 0 goto +off}, a 64-bit
     * unsigned comparison with the immediate 0, jumping forward or to the next instruction.
     */
    public static boolean isGuardJump(Instruction instruction) {
        return instruction.opcode() == GUARD_OPCODE
                && instruction.src() == 0
                && instruction.imm() == 0
                && instruction.offset() >= 0;
    }

    /** The enabled form of the guard {@code disabled}: {@code if rX < 0 goto +off}, never taken. */
    public static Instruction enabledForm(Instruction disabled) {
        if (!isGuardJump(disabled)) {
            throw new IllegalArgumentException("not a guard jump: " + disabled);
        }
        return disabled.withOpcode(
                Instruction.jump(JumpOp.JLT, Register.R0, 0, 0).opcode());
    }

    @Override
    public String toString() {
        return switch (kind) {
                    case MAP -> "map '";
                    case CONSTANT -> "constant '";
                    case GUARD -> "guard '";
                }
                + symbol + "' at slot " + slot;
    }
}
