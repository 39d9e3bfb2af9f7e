package org.levee.ebpf.asm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's binary format: each slot is 8 little-endian bytes, {@code opcode:8, dst:4 (low
 * nibble), src:4 (high nibble), offset:16, imm:32}. An LD_IMM64 takes two slots; the second has
 * only the high 32 bits of the value in its imm field, every other field zero.
 *
 * <p>The {@code long[]} form holds one slot per element, the 8 bytes read as a little-endian
 * integer: {@code opcode | regs << 8 | offset << 16 | imm << 32}.
 */
public final class InstructionCodec {
    private InstructionCodec() {}

    /** Size of one slot in bytes. */
    public static final int SLOT_BYTES = 8;

    /** Number of slots {@code instructions} occupy. */
    public static int slotCount(List<Instruction> instructions) {
        int slots = 0;
        for (Instruction instruction : instructions) {
            slots += instruction.slots();
        }
        return slots;
    }

    /**
     * For each slot, the index of the instruction that starts there, or -1 (the second slot of an
     * LD_IMM64, and the slot after the last instruction): {@link #indexBySlot} as an array, for
     * programs of a hundred thousand slots.
     */
    public static int[] indexOfSlot(List<Instruction> instructions) {
        int[] index = new int[slotCount(instructions) + 1];
        java.util.Arrays.fill(index, -1);
        int slot = 0;
        for (int i = 0; i < instructions.size(); i++) {
            index[slot] = i;
            slot += instructions.get(i).slots();
        }
        return index;
    }

    /** For each slot where an instruction starts, that instruction's index (the second slot of an LD_IMM64 has none). */
    public static Map<Integer, Integer> indexBySlot(List<Instruction> instructions) {
        Map<Integer, Integer> indexBySlot = new HashMap<>();
        int slot = 0;
        for (int i = 0; i < instructions.size(); i++) {
            indexBySlot.put(slot, i);
            slot += instructions.get(i).slots();
        }
        return indexBySlot;
    }

    public static byte[] encode(List<Instruction> instructions) {
        long[] slots = encodeToLongs(instructions);
        ByteBuffer bytes = ByteBuffer.allocate(slots.length * SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long slot : slots) {
            bytes.putLong(slot);
        }
        return bytes.array();
    }

    public static long[] encodeToLongs(List<Instruction> instructions) {
        long[] slots = new long[slotCount(instructions)];
        int at = 0;
        for (Instruction instruction : instructions) {
            if (instruction.isLdImm64()) {
                slots[at++] =
                        slot(instruction.opcode(), instruction.dst(), instruction.src(), 0, (int) instruction.imm());
                slots[at++] = slot(0, 0, 0, 0, (int) (instruction.imm() >>> 32));
            } else {
                slots[at++] =
                        slot(instruction.opcode(), instruction.dst(), instruction.src(), instruction.offset(), (int)
                                instruction.imm());
            }
        }
        return slots;
    }

    private static long slot(int opcode, int dst, int src, int offset, int imm) {
        return opcode | (long) (dst | src << 4) << 8 | (long) (offset & 0xffff) << 16 | (long) imm << 32;
    }

    /**
     * The instructions in {@code bytes}.
     *
     * @throws InstructionFormatException naming the slot, if the length is not a multiple of 8, an
     *     opcode is unknown, a field is invalid, or an LD_IMM64 lacks or has a malformed second slot
     */
    public static List<Instruction> decode(byte[] bytes) {
        if (bytes.length % SLOT_BYTES != 0) {
            throw new InstructionFormatException(
                    bytes.length / SLOT_BYTES,
                    "length " + bytes.length + " bytes is not a multiple of " + SLOT_BYTES
                            + " (trailing partial slot)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] slots = new long[bytes.length / SLOT_BYTES];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = buffer.getLong();
        }
        return decode(slots);
    }

    /** The instructions in {@code slots}, one 8-byte slot per element; see {@link #decode(byte[])}. */
    public static List<Instruction> decode(long[] slots) {
        List<Instruction> instructions = new ArrayList<>(slots.length);
        for (int i = 0; i < slots.length; i++) {
            long slot = slots[i];
            int opcode = (int) (slot & 0xff);
            int dst = (int) (slot >>> 8) & 0xf;
            int src = (int) (slot >>> 12) & 0xf;
            int offset = (short) (slot >>> 16);
            long imm = (int) (slot >>> 32);
            if (opcode == Instruction.LD_IMM64) {
                if (i + 1 == slots.length) {
                    throw new InstructionFormatException(i, "ld_imm64 needs two slots but the program ends");
                }
                long high = slots[++i];
                if ((high & 0xffff_ffffL) != 0) {
                    throw new InstructionFormatException(
                            i,
                            String.format(
                                    "second slot of ld_imm64 must have opcode, registers and offset 0, has 0x%08x",
                                    high & 0xffff_ffffL));
                }
                imm = (imm & 0xffff_ffffL) | (high & 0xffff_ffff_0000_0000L);
            }
            try {
                instructions.add(new Instruction(opcode, dst, src, offset, imm));
            } catch (IllegalArgumentException e) {
                throw new InstructionFormatException(opcode == Instruction.LD_IMM64 ? i - 1 : i, e.getMessage());
            }
        }
        return List.copyOf(instructions);
    }
}
