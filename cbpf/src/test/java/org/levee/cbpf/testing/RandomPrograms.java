package org.levee.cbpf.testing;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * Seeded random classic BPF programs for property tests: {@link #anyProgram} draws any 16-bit
 * opcode now and then (most programs are then invalid), {@link #validProgram} only the kernel's
 * opcodes with in-range jumps, scratch stores before loads and a return at the end.
 */
public final class RandomPrograms {
    /** Every opcode the kernel accepts. */
    public static final int[] KERNEL_OPCODES = {
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
        ALU | NEG,
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
        MISC | TXA,
    };

    private RandomPrograms() {}

    /** A constant that is often interesting: small, a packet offset, a boundary, or anything. */
    public static int constant(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> random.nextInt(16);
            case 1 -> random.nextInt(80);
            case 2 -> new int[] {0, 1, -1, 0x7fffffff, 0x80000000, 0xffff, 0x800, 0x86dd}[random.nextInt(8)];
            case 3 -> random.nextInt(1 << 16);
            default -> random.nextInt();
        };
    }

    /** {@code length} instructions, mostly kernel opcodes, with arbitrary fields: often invalid. */
    public static CbpfProgram anyProgram(Random random, int length) {
        List<CbpfInstruction> instructions = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            int code = random.nextInt(20) == 0
                    ? random.nextInt(1 << 16)
                    : KERNEL_OPCODES[random.nextInt(KERNEL_OPCODES.length)];
            int k = code == (JMP | JA)
                    ? random.nextInt(length - i + 1)
                    : (code == LD + MEM || code == LDX + MEM || code == ST || code == STX)
                            ? random.nextInt(18)
                            : constant(random);
            int maxJump = Math.max(1, Math.min(256, length - i));
            instructions.add(new CbpfInstruction(code, random.nextInt(maxJump), random.nextInt(maxJump), k));
        }
        if (random.nextInt(4) != 0 && length > 0) {
            instructions.set(length - 1, random.nextBoolean() ? retA() : retK(constant(random)));
        }
        return new CbpfProgram(instructions);
    }

    /** A program of {@code length} instructions (≥ 2) the kernel's validator accepts. */
    public static CbpfProgram validProgram(Random random, int length) {
        return validProgram(random, length, true);
    }

    /**
     * A program of {@code length} instructions (≥ 2) the kernel's validator accepts; without
     * {@code shiftsByX}, no {@code lsh x} or {@code rsh x}, the one place where libpcap's
     * interpreter and Linux differ (a shift by X ≥ 32).
     */
    public static CbpfProgram validProgram(Random random, int length, boolean shiftsByX) {
        List<CbpfInstruction> instructions = new ArrayList<>(length);
        // Every scratch word is written first, so any later load is valid on every path.
        int prologue = Math.min(length - 1, 2);
        for (int i = 0; i < prologue; i++) {
            instructions.add(i == 0 ? ldAbsB(random.nextInt(40)) : st(random.nextInt(16)));
        }
        int stored = prologue == 2 ? instructions.get(1).k() : -1;
        for (int i = prologue; i < length - 1; i++) {
            int code;
            do {
                code = KERNEL_OPCODES[random.nextInt(KERNEL_OPCODES.length)];
            } while ((code == (LD | W | MEM) || code == (LDX | W | MEM)) && stored < 0
                    || !shiftsByX && (code == (ALU | LSH | X) || code == (ALU | RSH | X)));
            int remaining = length - i - 1; // instructions after this one
            int k = switch (code) {
                case LD | W | MEM, LDX | W | MEM -> stored;
                case ST, STX -> stored >= 0 ? stored : 0;
                case ALU | DIV | K, ALU | MOD | K -> 1 + random.nextInt(9);
                case ALU | LSH | K, ALU | RSH | K -> random.nextInt(32);
                case JMP | JA -> random.nextInt(remaining);
                case LD | W | ABS, LD | H | ABS, LD | B | ABS -> random.nextInt(70);
                default -> constant(random);
            };
            int jt = (code & 0x07) == JMP ? random.nextInt(Math.min(256, remaining)) : 0;
            int jf = (code & 0x07) == JMP ? random.nextInt(Math.min(256, remaining)) : 0;
            if (code == (JMP | JA)) {
                jt = 0;
                jf = 0;
            }
            if (code == ST || code == STX) {
                stored = k;
            }
            instructions.add(new CbpfInstruction(code, jt, jf, k));
        }
        instructions.add(random.nextBoolean() ? retA() : retK(constant(random)));
        return new CbpfProgram(instructions);
    }
}
