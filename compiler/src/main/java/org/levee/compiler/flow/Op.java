package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.function.IntUnaryOperator;

/**
 * One classic BPF instruction with its jump targets resolved to absolute instruction indices
 * (cBPF stores them relative to the next instruction, which makes every rewrite renumber them).
 *
 * @param code the cBPF opcode
 * @param k    the constant operand (unsigned 32-bit in an int)
 * @param jt   for a jump, the index jumped to when the condition holds (JA: the target); else -1
 * @param jf   for a conditional jump, the index jumped to otherwise; else -1
 */
public record Op(int code, int k, int jt, int jf) {

    /** An instruction that does not jump. */
    public static Op plain(int code, int k) {
        return new Op(code, k, -1, -1);
    }

    public static Op ja(int target) {
        return new Op(JMP | JA, 0, target, -1);
    }

    public static Op retK(int k) {
        return plain(RET | K, k);
    }

    /** This jump with each target t replaced by {@code target.applyAsInt(t)}, jt first; any other instruction as it is. */
    public Op retargeted(IntUnaryOperator target) {
        if (isJa()) {
            return new Op(code, k, target.applyAsInt(jt), jf);
        }
        if (isConditional()) {
            int newJt = target.applyAsInt(jt);
            return new Op(code, k, newJt, target.applyAsInt(jf));
        }
        return this;
    }

    public int opClass() {
        return code & 0x07;
    }

    public int mode() {
        return code & 0xe0;
    }

    public int op() {
        return code & 0xf0;
    }

    public int src() {
        return code & 0x08;
    }

    /** The width in bytes of a packet load (W, H, B; MSH loads one byte). */
    public int width() {
        return switch (code & 0x18) {
            case W -> 4;
            case H -> 2;
            default -> 1;
        };
    }

    public long unsignedK() {
        return Integer.toUnsignedLong(k);
    }

    public boolean isReturn() {
        return opClass() == RET;
    }

    public boolean isJa() {
        return code == (JMP | JA);
    }

    public boolean isConditional() {
        return opClass() == JMP && op() != JA;
    }

    /** True for {@code ret #0}: ends the filter without a match. */
    public boolean isRejection() {
        return code == (RET | K) && k == 0;
    }

    /** True for a return whose value may be non-zero: {@code ret #k≠0} or {@code ret a}. */
    public boolean mayAccept() {
        return isReturn() && !isRejection();
    }

    /** {@code ld [k]}, {@code ldh [k]}, {@code ldb [k]}. */
    public boolean isAbsoluteLoad() {
        return opClass() == LD && mode() == ABS;
    }

    /** {@code ld [x + k]} and its 16/8-bit forms. */
    public boolean isIndirectLoad() {
        return opClass() == LD && mode() == IND;
    }

    /** {@code ldx 4*([k]&0xf)}. */
    public boolean isMsh() {
        return code == (LDX | B | MSH);
    }

    public boolean readsA() {
        return switch (opClass()) {
            case ALU, ST -> true;
            case JMP -> isConditional();
            case RET -> (code & 0x18) == A;
            case MISC -> (code & 0xf8) == TAX;
            default -> false;
        };
    }

    public boolean readsX() {
        return switch (opClass()) {
            case ALU -> op() != NEG && src() == X;
            case JMP -> isConditional() && src() == X;
            case LD -> mode() == IND;
            case STX -> true;
            case RET -> (code & 0x18) == X;
            case MISC -> (code & 0xf8) == TXA;
            default -> false;
        };
    }

    public boolean writesA() {
        return switch (opClass()) {
            case LD, ALU -> true;
            case MISC -> (code & 0xf8) == TXA;
            default -> false;
        };
    }

    public boolean writesX() {
        return switch (opClass()) {
            case LDX -> true;
            case MISC -> (code & 0xf8) == TAX;
            default -> false;
        };
    }

    /** The scratch word read ({@code ld M[k]}, {@code ldx M[k]}), or -1. */
    public int readsMemory() {
        return (opClass() == LD || opClass() == LDX) && mode() == MEM ? k : -1;
    }

    /** The scratch word written ({@code st M[k]}, {@code stx M[k]}), or -1. */
    public int writesMemory() {
        return opClass() == ST || opClass() == STX ? k : -1;
    }

    @Override
    public String toString() {
        String text = String.format("code=0x%02x k=0x%x", code, k);
        if (isJa()) {
            return text + " -> " + jt;
        }
        return isConditional() ? text + " -> " + jt + "/" + jf : text;
    }
}
