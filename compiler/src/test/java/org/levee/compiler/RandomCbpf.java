package org.levee.compiler;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.flow.Op;

/**
 * A seeded generator of valid cBPF programs covering every opcode: loads of every size and mode
 * (indirect ones with X small, negative or huge), scratch memory, every ALU operation with K and
 * X (division and modulo by an X that is 0 at run time), every jump, returns of K and A.
 * Programs are built with absolute jump targets ({@link Op}) and linked to cBPF at the end.
 * Scratch words are stored before they are read on every path (the kernel checks it), and M[15]
 * is left free for {@link #forKernel}.
 */
final class RandomCbpf {
    private static final int[] X_VALUES = {
        0, 1, 2, 4, 14, 20, 60, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0xfff00000, 0xffe00000, 65535, 65536
    };
    private static final int[] CONSTANTS = {
        0, 1, 2, 3, 6, 17, 0x800, 0x86dd, 0x45, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff
    };
    private static final int[] ALU_OPS = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR};
    private static final int[] JUMP_OPS = {JEQ, JGT, JGE, JSET};
    private static final int WORDS = 15;

    private final Random random;

    RandomCbpf(long seed) {
        this.random = new Random(seed);
    }

    /** A program of at most {@code maxLength} instructions (plus stores of its scratch words). */
    List<Op> next(int maxLength) {
        int body = 1 + random.nextInt(maxLength);
        List<Op> ops = new ArrayList<>();
        // Scratch words this program may read: stored first, on the one path into the body.
        int words = random.nextInt(4);
        int[] stored = new int[words];
        for (int w = 0; w < words; w++) {
            stored[w] = random.nextInt(WORDS);
            ops.add(Op.plain(random.nextBoolean() ? ST : STX, stored[w]));
        }
        int start = ops.size();
        int end = start + body; // index of the final return
        for (int i = start; i < end; i++) {
            ops.add(instruction(i, end, stored));
        }
        ops.add(ret());
        return ops;
    }

    private Op instruction(int i, int end, int[] stored) {
        int kind = random.nextInt(100);
        if (kind < 22) {
            return load();
        }
        if (kind < 32) {
            return loadX(stored);
        }
        if (kind < 52) {
            int op = ALU_OPS[random.nextInt(ALU_OPS.length)];
            if (random.nextInt(3) == 0) {
                return Op.plain(ALU | op | X, 0);
            }
            int k = constant();
            if ((op == DIV || op == MOD) && k == 0) {
                k = 1 + random.nextInt(7); // the kernel refuses a constant divisor of 0
            }
            if (op == LSH || op == RSH) {
                k = random.nextInt(32); // and shifts by 32 or more
            }
            return Op.plain(ALU | op | K, k);
        }
        if (kind < 54) {
            return Op.plain(ALU | NEG, 0);
        }
        if (kind < 72) {
            int target1 = i + 1 + random.nextInt(Math.min(end - i, 12));
            int target2 = i + 1 + random.nextInt(Math.min(end - i, 12));
            int op = JUMP_OPS[random.nextInt(JUMP_OPS.length)];
            return random.nextInt(4) == 0
                    ? new Op(JMP | op | X, 0, target1, target2)
                    : new Op(JMP | op | K, constant(), target1, target2);
        }
        if (kind < 75) {
            return Op.ja(i + 1 + random.nextInt(Math.min(end - i, 6)));
        }
        if (kind < 80) {
            return random.nextBoolean() ? Op.plain(MISC | TAX, 0) : Op.plain(MISC | TXA, 0);
        }
        if (kind < 85 && stored.length > 0) {
            int w = stored[random.nextInt(stored.length)];
            return Op.plain(random.nextBoolean() ? ST : STX, w);
        }
        if (kind < 90 && stored.length > 0) {
            return Op.plain(LD | W | MEM, stored[random.nextInt(stored.length)]);
        }
        if (kind < 94) {
            return Op.plain(LD | W | IMM, constant());
        }
        return random.nextInt(3) == 0 ? Op.plain(LD | W | LEN, 0) : ret();
    }

    private Op load() {
        int size = new int[] {W, H, B}[random.nextInt(3)];
        if (random.nextInt(3) == 0) {
            int k = random.nextInt(10) == 0
                    ? new int[] {0x7fff, 0x8000, 0xfffe, 0x100000}[random.nextInt(4)]
                    : random.nextInt(40);
            return Op.plain(LD | size | IND, k);
        }
        int k = random.nextInt(20) == 0
                ? new int[] {0x7fff, 0x8000, 0xfffe, 0x80000000}[random.nextInt(4)]
                : random.nextInt(90);
        return Op.plain(LD | size | ABS, k);
    }

    private Op loadX(int[] stored) {
        return switch (random.nextInt(6)) {
            case 0 -> Op.plain(LDX | W | IMM, X_VALUES[random.nextInt(X_VALUES.length)]);
            case 1 -> Op.plain(LDX | W | IMM, random.nextInt(64));
            case 2 -> Op.plain(LDX | B | MSH, random.nextInt(70));
            case 3 -> Op.plain(LDX | W | LEN, 0);
            case 4 ->
                stored.length > 0
                        ? Op.plain(LDX | W | MEM, stored[random.nextInt(stored.length)])
                        : Op.plain(MISC | TAX, 0);
            default -> Op.plain(MISC | TAX, 0);
        };
    }

    private Op ret() {
        return random.nextInt(3) == 0
                ? Op.plain(RET | A, 0)
                : Op.retK(new int[] {0, 0, 1, 0xffffffff, 64}[random.nextInt(5)]);
    }

    private int constant() {
        return random.nextInt(3) == 0 ? random.nextInt() : CONSTANTS[random.nextInt(CONSTANTS.length)];
    }

    /** Random packet bytes of {@code length}, mostly small values so that comparisons hit. */
    byte[] packet(int length) {
        byte[] packet = new byte[length];
        for (int i = 0; i < length; i++) {
            packet[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(8));
        }
        return packet;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** cBPF with relative jumps. */
    static CbpfProgram link(List<Op> ops) {
        List<CbpfInstruction> program = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op.isJa()) {
                program.add(new CbpfInstruction(op.code(), 0, 0, op.jt() - i - 1));
            } else if (op.isConditional()) {
                program.add(new CbpfInstruction(op.code(), op.jt() - i - 1, op.jf() - i - 1, op.k()));
            } else {
                program.add(new CbpfInstruction(op.code(), 0, 0, op.k()));
            }
        }
        return new CbpfProgram(program);
    }

    /**
     * The program the kernel must run to agree with the interpreter: the kernel computes
     * {@code x + k} modulo 2^32 and reads SKF_NET_OFF/SKF_LL_OFF areas at negative offsets,
     * where the interpreter (and XDP) see an offset past any packet. Before each indirect load
     * this ends the filter with 0 when X + k ≥ 2^32 - 2^21, where the two part ways, using M[15]
     * to keep A. Elsewhere the program is unchanged.
     */
    static CbpfProgram forKernel(List<Op> ops) {
        long limit = (1L << 32) - (1L << 21);
        List<Op> out = new ArrayList<>();
        int[] newIndex = new int[ops.size()];
        int inserted = 0;
        for (int i = 0; i < ops.size(); i++) {
            newIndex[i] = i + inserted; // a jump to an indirect load goes to its check
            if (ops.get(i).isIndirectLoad()) {
                inserted += 4;
            }
        }
        int reject = ops.size() + inserted;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op.isIndirectLoad()) {
                int at = out.size();
                long bound = limit - op.unsignedK();
                out.add(Op.plain(ST, 15));
                out.add(Op.plain(MISC | TXA, 0));
                out.add(bound <= 0 ? Op.ja(reject) : new Op(JMP | JGE | K, (int) bound, reject, at + 3));
                out.add(Op.plain(LD | W | MEM, 15));
                out.add(op);
            } else if (op.isJa()) {
                out.add(Op.ja(newIndex[op.jt()]));
            } else if (op.isConditional()) {
                out.add(new Op(op.code(), op.k(), newIndex[op.jt()], newIndex[op.jf()]));
            } else {
                out.add(op);
            }
        }
        out.add(Op.retK(0));
        return link(out);
    }
}
