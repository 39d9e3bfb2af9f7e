package org.levee.ebpf.asm;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded generator of valid instructions. It draws fields biased towards the values that matter
 * (zero, registers, byte-swap widths, MOVSX offsets, atomic operations) and keeps the draws the
 * {@link Instruction} constructor accepts, so it covers exactly what the rules call valid; the
 * tests check that set against the specification's opcode table separately.
 */
public final class RandomInstructions {
    private static final int[] SPECIAL_IMMEDIATES = {
        0,
        1,
        -1,
        16,
        32,
        64,
        0x01,
        0x40,
        0x41,
        0x50,
        0x51,
        0xa0,
        0xa1,
        0xe1,
        0xf1,
        0x100,
        0x110,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE
    };
    private static final int[] SPECIAL_OFFSETS = {0, 1, 8, 16, 32, -1, Short.MAX_VALUE, Short.MIN_VALUE};

    private final Random random;

    public RandomInstructions(long seed) {
        this.random = new Random(seed);
    }

    /** A valid instruction with opcode {@code opcode}, or null if none was found in {@code tries} draws. */
    public Instruction withOpcode(int opcode, int tries) {
        for (int i = 0; i < tries; i++) {
            int dst = register();
            int src = register();
            int offset = offset();
            long imm = opcode == Instruction.LD_IMM64 && random.nextBoolean() ? random.nextLong() : immediate();
            if (InstructionRules.violation(opcode, dst, src, offset, imm).isEmpty()) {
                return new Instruction(opcode, dst, src, offset, imm);
            }
        }
        return null;
    }

    /** A valid instruction with one of {@code opcodes}, drawn uniformly. */
    public Instruction from(int[] opcodes) {
        while (true) {
            Instruction instruction = withOpcode(opcodes[random.nextInt(opcodes.length)], 10_000);
            if (instruction != null) {
                return instruction;
            }
        }
    }

    public List<Instruction> program(int[] opcodes, int length) {
        List<Instruction> program = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            program.add(from(opcodes));
        }
        return program;
    }

    Random random() {
        return random;
    }

    private int register() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1, 2 -> random.nextInt(11);
            default -> random.nextInt(16);
        };
    }

    private int offset() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> SPECIAL_OFFSETS[random.nextInt(SPECIAL_OFFSETS.length)];
            default -> random.nextInt(1 << 16) + Short.MIN_VALUE;
        };
    }

    private long immediate() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> SPECIAL_IMMEDIATES[random.nextInt(SPECIAL_IMMEDIATES.length)];
            default -> random.nextInt();
        };
    }
}
