package org.levee.dataplane.program;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.BitSet;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;
import org.levee.ebpf.asm.AluOp;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.JumpOp;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * The one place where a rule's classic BPF becomes eBPF inside the data-plane program.
 *
 * <p>Registers: the packet start and end in r2/r3 (read only), A in r4, X in r5, r0 and r1 as
 * scratch; M[] in the 64 bytes below the frame pointer. The fragment calls no helpers and
 * touches no other register, so the program keeps its context, counters and packet length in
 * r6–r9 across it.
 *
 * <p>This is a direct, instruction-by-instruction translation with a bounds check per packet
 * load; it stands in until the compiler module's optimising fragments are merged, and keeps the
 * same semantics: an out-of-bounds load or a division by zero ends the filter with no match.
 */
final class FilterEmitter {
    private FilterEmitter() {}

    static final Register START = Register.R2;
    static final Register END = Register.R3;
    static final Register ACC = Register.R4;
    static final Register INDEX = Register.R5;
    static final Register POINTER = Register.R0;
    static final Register TEMP = Register.R1;
    /** Frame-pointer offset of M[0]. */
    static final int SCRATCH = -64;
    /** Highest packet offset a fragment reads; beyond it nothing matches (XDP frames are smaller). */
    private static final int MAX_OFFSET = 0xffff;

    /**
     * Appends {@code filter}: matching packets jump to {@code match}, others to {@code noMatch}.
     * Labels of the fragment start with {@code prefix}.
     */
    static void emit(CbpfProgram filter, Assembler asm, String prefix, String match, String noMatch) {
        BitSet reachable = reachable(filter);
        BitSet targets = new BitSet();
        for (int i = reachable.nextSetBit(0); i >= 0; i = reachable.nextSetBit(i + 1)) {
            CbpfInstruction insn = filter.get(i);
            if (insn.opClass() == JMP) {
                if (insn.op() == JA) {
                    targets.set(i + 1 + insn.k());
                } else {
                    targets.set(i + 1 + insn.jt());
                    targets.set(i + 1 + insn.jf());
                }
            }
        }
        asm.emit(Instruction.mov32(ACC, 0), Instruction.mov32(INDEX, 0));
        for (int m = 0; m < MEMORY_WORDS; m++) {
            asm.emit(Instruction.st(Size.W, Register.R10, SCRATCH + 4 * m, 0));
        }
        for (int i = reachable.nextSetBit(0); i >= 0; i = reachable.nextSetBit(i + 1)) {
            if (targets.get(i)) {
                asm.label(prefix + i);
            }
            emitOne(filter.get(i), i, asm, prefix, match, noMatch);
        }
    }

    private static void emitOne(CbpfInstruction insn, int i, Assembler asm, String prefix, String match, String noMatch) {
        int k = insn.k();
        switch (insn.opClass()) {
            case LD -> {
                switch (insn.opMode()) {
                    case IMM -> asm.emit(Instruction.mov32(ACC, k));
                    case LEN -> asm.emit(Instruction.mov64(ACC, END), Instruction.sub64(ACC, START), Instruction.mov32(ACC, ACC));
                    case MEM -> asm.emit(Instruction.ldxW(ACC, Register.R10, SCRATCH + 4 * k));
                    case ABS -> loadPacket(asm, ACC, cbpfSize(insn.opSize()), k, false, noMatch, i);
                    case IND -> loadPacket(asm, ACC, cbpfSize(insn.opSize()), k, true, noMatch, i);
                    default -> throw CbpfException.atInstruction(i, "unsupported load mode");
                }
            }
            case LDX -> {
                switch (insn.opMode()) {
                    case IMM -> asm.emit(Instruction.mov32(INDEX, k));
                    case LEN -> asm.emit(Instruction.mov64(INDEX, END), Instruction.sub64(INDEX, START), Instruction.mov32(INDEX, INDEX));
                    case MEM -> asm.emit(Instruction.ldxW(INDEX, Register.R10, SCRATCH + 4 * k));
                    case MSH -> {
                        loadPacket(asm, INDEX, Size.B, k, false, noMatch, i);
                        asm.emit(Instruction.and32(INDEX, 0xf), Instruction.alu32(AluOp.LSH, INDEX, 2));
                    }
                    default -> throw CbpfException.atInstruction(i, "unsupported ldx mode");
                }
            }
            case ST -> asm.emit(Instruction.stxW(Register.R10, SCRATCH + 4 * k, ACC));
            case STX -> asm.emit(Instruction.stxW(Register.R10, SCRATCH + 4 * k, INDEX));
            case ALU -> alu(insn, i, asm, noMatch);
            case JMP -> {
                if (insn.op() == JA) {
                    asm.ja(prefix + (i + 1 + k));
                    return;
                }
                JumpOp op = switch (insn.op()) {
                    case JEQ -> JumpOp.JEQ;
                    case JGT -> JumpOp.JGT;
                    case JGE -> JumpOp.JGE;
                    case JSET -> JumpOp.JSET;
                    default -> throw CbpfException.atInstruction(i, "unknown jump");
                };
                String onTrue = prefix + (i + 1 + insn.jt());
                String onFalse = prefix + (i + 1 + insn.jf());
                if (insn.src() == X) {
                    asm.jump32(op, ACC, INDEX, onTrue);
                } else {
                    asm.jump32(op, ACC, k, onTrue);
                }
                asm.ja(onFalse);
            }
            case RET -> {
                if (insn.rval() == A) {
                    asm.jump32(JumpOp.JNE, ACC, 0, match);
                    asm.ja(noMatch);
                } else {
                    asm.ja(k != 0 ? match : noMatch);
                }
            }
            case MISC -> asm.emit(insn.miscOp() == TAX ? Instruction.mov32(INDEX, ACC) : Instruction.mov32(ACC, INDEX));
            default -> throw CbpfException.atInstruction(i, "unknown instruction class");
        }
    }

    private static void alu(CbpfInstruction insn, int i, Assembler asm, String noMatch) {
        if (insn.op() == NEG) {
            asm.emit(Instruction.neg32(ACC));
            return;
        }
        AluOp op = switch (insn.op()) {
            case ADD -> AluOp.ADD;
            case SUB -> AluOp.SUB;
            case MUL -> AluOp.MUL;
            case DIV -> AluOp.DIV;
            case OR -> AluOp.OR;
            case AND -> AluOp.AND;
            case LSH -> AluOp.LSH;
            case RSH -> AluOp.RSH;
            case MOD -> AluOp.MOD;
            case XOR -> AluOp.XOR;
            default -> throw CbpfException.atInstruction(i, "unknown ALU operation");
        };
        // 32-bit operations, as the kernel's own cBPF-to-eBPF conversion does (shifts take X mod 32)
        if (insn.src() == X) {
            if (op == AluOp.DIV || op == AluOp.MOD) {
                asm.jump32(JumpOp.JEQ, INDEX, 0, noMatch); // cBPF: division by zero returns 0
            }
            asm.emit(Instruction.alu32(op, ACC, INDEX));
        } else {
            asm.emit(Instruction.alu32(op, ACC, insn.k()));
        }
    }

    /** True when some path of {@code filter} can return non-zero (otherwise its match code would be unreachable). */
    static boolean canMatch(CbpfProgram filter) {
        BitSet reachable = reachable(filter);
        for (int i = reachable.nextSetBit(0); i >= 0; i = reachable.nextSetBit(i + 1)) {
            CbpfInstruction insn = filter.get(i);
            if (insn.opClass() == RET && (insn.rval() == A || insn.k() != 0)) {
                return true;
            }
        }
        return false;
    }

    /** The instructions some path from the first reaches: the verifier refuses code that none does. */
    private static BitSet reachable(CbpfProgram filter) {
        BitSet seen = new BitSet();
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>(java.util.List.of(0));
        while (!work.isEmpty()) {
            int i = work.pop();
            if (i >= filter.size() || seen.get(i)) {
                continue;
            }
            seen.set(i);
            CbpfInstruction insn = filter.get(i);
            if (insn.opClass() == RET) {
                continue;
            }
            if (insn.opClass() == JMP) {
                if (insn.op() == JA) {
                    work.push(i + 1 + insn.k());
                } else {
                    work.push(i + 1 + insn.jt());
                    work.push(i + 1 + insn.jf());
                }
            } else {
                work.push(i + 1);
            }
        }
        return seen;
    }

    private static Size cbpfSize(int size) {
        return switch (size) {
            case W -> Size.W;
            case H -> Size.H;
            default -> Size.B;
        };
    }

    /** dst = big-endian packet bytes at [k] or [X + k]; out of bounds → no match. */
    private static void loadPacket(Assembler asm, Register dst, Size size, int k, boolean indirect, String noMatch, int i) {
        if (k < 0 || k > MAX_OFFSET) {
            asm.ja(noMatch); // ancillary (negative) or beyond any XDP frame
            return;
        }
        asm.emit(Instruction.mov64(POINTER, START));
        if (indirect) {
            asm.emit(Instruction.mov32(TEMP, INDEX), Instruction.add64(TEMP, k));
            asm.jump(JumpOp.JGT, TEMP, MAX_OFFSET, noMatch);
            asm.emit(Instruction.add64(POINTER, TEMP));
        } else if (k != 0) {
            asm.emit(Instruction.add64(POINTER, k));
        }
        asm.emit(Instruction.mov64(TEMP, POINTER), Instruction.add64(TEMP, size.bytes()));
        asm.jump(JumpOp.JGT, TEMP, END, noMatch);
        asm.emit(Instruction.ldx(size, dst, POINTER, 0));
        if (size != Size.B) {
            asm.emit(Instruction.toBigEndian(dst, size.bytes() * 8));
        }
    }
}
