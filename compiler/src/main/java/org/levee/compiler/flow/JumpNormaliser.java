package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * Pass 1, normalise jumps: turns cBPF's relative jump offsets into absolute targets, checks what
 * the compiler relies on (known opcodes, targets inside the program, no instruction running off
 * the end, scratch indices below 16), and simplifies the jumps themselves:
 * <ul>
 *   <li>a jump to a {@code ja} goes straight to where that {@code ja} leads (jump threading);
 *   <li>a conditional jump whose two targets are equal becomes a {@code ja};
 *   <li>a {@code ja} to the next instruction is kept as is: {@link DeadCode} drops what it skips.
 * </ul>
 * Errors name the instruction index, as the rest of Levee does.
 */
public final class JumpNormaliser {
    private JumpNormaliser() {}

    /** Every opcode the Linux socket-filter validator accepts (ancillary loads aside). */
    private static final Set<Integer> KNOWN = Set.of(
            LD | W | ABS,
            LD | H | ABS,
            LD | B | ABS,
            LD | W | IND,
            LD | H | IND,
            LD | B | IND,
            LD | W | IMM,
            LD | W | LEN,
            LD | W | MEM,
            LDX | W | IMM,
            LDX | W | LEN,
            LDX | W | MEM,
            LDX | B | MSH,
            ST,
            STX,
            ALU | ADD | K,
            ALU | SUB | K,
            ALU | MUL | K,
            ALU | DIV | K,
            ALU | OR | K,
            ALU | AND | K,
            ALU | LSH | K,
            ALU | RSH | K,
            ALU | MOD | K,
            ALU | XOR | K,
            ALU | NEG,
            ALU | ADD | X,
            ALU | SUB | X,
            ALU | MUL | X,
            ALU | DIV | X,
            ALU | OR | X,
            ALU | AND | X,
            ALU | LSH | X,
            ALU | RSH | X,
            ALU | MOD | X,
            ALU | XOR | X,
            JMP | JA,
            JMP | JEQ | K,
            JMP | JGT | K,
            JMP | JGE | K,
            JMP | JSET | K,
            JMP | JEQ | X,
            JMP | JGT | X,
            JMP | JGE | X,
            JMP | JSET | X,
            RET | K,
            RET | A,
            MISC | TAX,
            MISC | TXA);

    /** Offsets at or above SKF_LL_OFF (-0x200000) select the kernel's ancillary data and headers. */
    private static final long SKF_LL_OFF = 0xffe00000L;

    public static Flow normalise(CbpfProgram program) {
        int n = program.size();
        if (n == 0) {
            throw new CbpfException("the program is empty: it needs at least a return");
        }
        List<Op> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ops.add(decode(program.get(i), i, n));
        }
        // Thread jumps backwards so that every target is already final when a jump reads it.
        for (int i = n - 1; i >= 0; i--) {
            Op op = ops.get(i);
            if (op.isJa()) {
                ops.set(i, Op.ja(thread(ops, op.jt())));
            } else if (op.isConditional()) {
                int jt = thread(ops, op.jt());
                int jf = thread(ops, op.jf());
                ops.set(i, jt == jf ? Op.ja(jt) : new Op(op.code(), op.k(), jt, jf));
            }
        }
        return new Flow(ops);
    }

    private static int thread(List<Op> ops, int target) {
        Op op = ops.get(target);
        // Targets of later instructions are already threaded, so one step is enough.
        return op.isJa() ? op.jt() : target;
    }

    private static Op decode(CbpfInstruction insn, int i, int n) {
        int code = insn.code();
        if (!KNOWN.contains(code)) {
            throw CbpfException.atInstruction(i, "unknown opcode 0x" + Integer.toHexString(code));
        }
        int cls = code & 0x07;
        int mode = code & 0xe0;
        if ((cls == LD || cls == LDX) && mode == MEM || cls == ST || cls == STX) {
            if (Integer.compareUnsigned(insn.k(), MEMORY_WORDS) >= 0) {
                throw CbpfException.atInstruction(
                        i, "scratch memory index " + insn.unsignedK() + " is out of range (M[0]..M[15])");
            }
        }
        if ((cls == LD && mode == ABS || code == (LDX | B | MSH)) && insn.unsignedK() >= SKF_LL_OFF) {
            throw CbpfException.atInstruction(
                    i,
                    "offset 0x" + Long.toHexString(insn.unsignedK())
                            + " selects a Linux ancillary field (SKF_AD_OFF/SKF_NET_OFF/SKF_LL_OFF), which XDP does not have");
        }
        if (cls == JMP && (code & 0xf0) == JA) {
            long target = i + 1L + insn.unsignedK();
            if (target >= n) {
                throw CbpfException.atInstruction(
                        i, "ja jumps to " + target + ", past the last instruction " + (n - 1));
            }
            return Op.ja((int) target);
        }
        if (cls == JMP) {
            int jt = i + 1 + insn.jt();
            int jf = i + 1 + insn.jf();
            if (jt >= n || jf >= n) {
                throw CbpfException.atInstruction(
                        i, "jumps to " + Math.max(jt, jf) + ", past the last instruction " + (n - 1));
            }
            return new Op(code, insn.k(), jt, jf);
        }
        if (cls != RET && i == n - 1) {
            throw CbpfException.atInstruction(
                    i, "the last instruction must be a return (the filter would run off the end)");
        }
        return Op.plain(code, insn.k());
    }
}
