package org.levee.cbpf;

import static org.levee.cbpf.CbpfInstruction.*;

/**
 * Runs a classic BPF program on a packet with the semantics of Linux's socket filters (the
 * reference every other backend of Levee is tested against):
 *
 * <ul>
 *   <li>A and X are unsigned 32-bit registers, both 0 at the start; the 16 scratch words M[] are
 *       0 at the start (the kernel's validator rejects programs that read a word before storing
 *       it, so the start value is never observable in a valid program).
 *   <li>Packet loads are big-endian. A load that does not lie entirely within the captured bytes
 *       ends the filter with 0 (no match). Offsets are unsigned, and {@code [x + k]} is computed
 *       without 32-bit wrap-around, as libpcap and an XDP bounds check do (the kernel's negative
 *       offset extensions, SKF_NET_OFF and SKF_LL_OFF, and the ancillary loads at SKF_AD_OFF are
 *       rejected by {@link CbpfValidator}; run unvalidated, they are loads out of bounds: 0).
 *   <li>Division or modulo by X == 0 ends the filter with 0.
 *   <li>Shifts use the low 5 bits of the shift amount, as the kernel's eBPF interpreter and JITs
 *       do (libpcap instead yields 0 for a shift by X ≥ 32).
 *   <li>{@code len} is the packet's length on the wire, which may exceed the captured bytes.
 * </ul>
 *
 * The filter's result is the value of the RET that ends it; the packet matches when it is
 * non-zero. Programs need not be validated first, but an instruction the kernel would not accept
 * when it is reached (unknown opcode, scratch index ≥ 16, running past the end) throws a
 * {@link CbpfException} naming its index. The interpreter keeps no state: it is thread-safe.
 */
public final class CbpfInterpreter {
    private CbpfInterpreter() {}

    /** Runs {@code program} on a packet captured whole ({@code len} = {@code packet.length}). */
    public static int run(CbpfProgram program, byte[] packet) {
        return run(program, packet, packet.length);
    }

    /** True when {@code program} returns non-zero for {@code packet}. */
    public static boolean matches(CbpfProgram program, byte[] packet, int wireLength) {
        return run(program, packet, wireLength) != 0;
    }

    /**
     * Runs {@code program} on the captured bytes {@code packet} of a packet that was
     * {@code wireLength} bytes long on the wire, and returns the filter's result (unsigned 32-bit
     * in an int).
     *
     * @throws IllegalArgumentException if wireLength is smaller than the captured length
     * @throws CbpfException            if the program reaches an instruction it cannot execute
     */
    public static int run(CbpfProgram program, byte[] packet, int wireLength) {
        if (wireLength < packet.length) {
            throw new IllegalArgumentException(
                    "wireLength " + wireLength + " is smaller than the captured length " + packet.length);
        }
        final int size = program.size();
        final long captured = packet.length;
        final int[] memory = new int[MEMORY_WORDS];
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            if (pc >= size) {
                throw new CbpfException(
                        "the program ran past its last instruction (" + (size - 1) + ") without a return");
            }
            CbpfInstruction insn = program.get(pc);
            int k = insn.k();
            switch (insn.code()) {
                case LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND -> {
                    long offset = Integer.toUnsignedLong(k);
                    if (insn.opMode() == IND) {
                        offset += Integer.toUnsignedLong(x);
                    }
                    int width = switch (insn.opSize()) {
                        case W -> 4;
                        case H -> 2;
                        default -> 1;
                    };
                    if (offset + width > captured) {
                        return 0;
                    }
                    a = load(packet, (int) offset, width);
                }
                case LD | W | IMM -> a = k;
                case LD | W | LEN -> a = wireLength;
                case LD | W | MEM -> a = memory[scratch(insn, pc)];
                case LDX | W | IMM -> x = k;
                case LDX | W | LEN -> x = wireLength;
                case LDX | W | MEM -> x = memory[scratch(insn, pc)];
                case LDX | B | MSH -> {
                    long offset = Integer.toUnsignedLong(k);
                    if (offset >= captured) {
                        return 0;
                    }
                    x = (packet[(int) offset] & 0xf) << 2;
                }
                case ST -> memory[scratch(insn, pc)] = a;
                case STX -> memory[scratch(insn, pc)] = x;
                case ALU | ADD | K -> a += k;
                case ALU | SUB | K -> a -= k;
                case ALU | MUL | K -> a *= k;
                case ALU | OR | K -> a |= k;
                case ALU | AND | K -> a &= k;
                case ALU | XOR | K -> a ^= k;
                case ALU | LSH | K -> a <<= k; // Java masks the amount to 5 bits, like the kernel
                case ALU | RSH | K -> a >>>= k;
                case ALU | DIV | K -> {
                    if (k == 0) {
                        return 0;
                    }
                    a = Integer.divideUnsigned(a, k);
                }
                case ALU | MOD | K -> {
                    if (k == 0) {
                        return 0;
                    }
                    a = Integer.remainderUnsigned(a, k);
                }
                case ALU | ADD | X -> a += x;
                case ALU | SUB | X -> a -= x;
                case ALU | MUL | X -> a *= x;
                case ALU | OR | X -> a |= x;
                case ALU | AND | X -> a &= x;
                case ALU | XOR | X -> a ^= x;
                case ALU | LSH | X -> a <<= x;
                case ALU | RSH | X -> a >>>= x;
                case ALU | DIV | X -> {
                    if (x == 0) {
                        return 0;
                    }
                    a = Integer.divideUnsigned(a, x);
                }
                case ALU | MOD | X -> {
                    if (x == 0) {
                        return 0;
                    }
                    a = Integer.remainderUnsigned(a, x);
                }
                case ALU | NEG -> a = -a;
                case JMP | JA -> {
                    long target = pc + 1L + Integer.toUnsignedLong(k);
                    pc = (int) Math.min(target, Integer.MAX_VALUE);
                    continue;
                }
                case JMP | JEQ | K -> {
                    pc += 1 + (a == k ? insn.jt() : insn.jf());
                    continue;
                }
                case JMP | JGT | K -> {
                    pc += 1 + (Integer.compareUnsigned(a, k) > 0 ? insn.jt() : insn.jf());
                    continue;
                }
                case JMP | JGE | K -> {
                    pc += 1 + (Integer.compareUnsigned(a, k) >= 0 ? insn.jt() : insn.jf());
                    continue;
                }
                case JMP | JSET | K -> {
                    pc += 1 + ((a & k) != 0 ? insn.jt() : insn.jf());
                    continue;
                }
                case JMP | JEQ | X -> {
                    pc += 1 + (a == x ? insn.jt() : insn.jf());
                    continue;
                }
                case JMP | JGT | X -> {
                    pc += 1 + (Integer.compareUnsigned(a, x) > 0 ? insn.jt() : insn.jf());
                    continue;
                }
                case JMP | JGE | X -> {
                    pc += 1 + (Integer.compareUnsigned(a, x) >= 0 ? insn.jt() : insn.jf());
                    continue;
                }
                case JMP | JSET | X -> {
                    pc += 1 + ((a & x) != 0 ? insn.jt() : insn.jf());
                    continue;
                }
                case RET | K -> {
                    return k;
                }
                case RET | A -> {
                    return a;
                }
                case MISC | TAX -> x = a;
                case MISC | TXA -> a = x;
                default ->
                    throw CbpfException.atInstruction(pc, "unknown opcode 0x" + Integer.toHexString(insn.code()));
            }
            pc++;
        }
    }

    private static int scratch(CbpfInstruction insn, int pc) {
        if (Integer.compareUnsigned(insn.k(), MEMORY_WORDS) >= 0) {
            throw CbpfException.atInstruction(
                    pc,
                    "scratch memory index " + Integer.toUnsignedString(insn.k()) + " is out of range (M[0]..M["
                            + (MEMORY_WORDS - 1) + "])");
        }
        return insn.k();
    }

    private static int load(byte[] packet, int offset, int width) {
        return switch (width) {
            case 4 ->
                (packet[offset] & 0xff) << 24
                        | (packet[offset + 1] & 0xff) << 16
                        | (packet[offset + 2] & 0xff) << 8
                        | packet[offset + 3] & 0xff;
            case 2 -> (packet[offset] & 0xff) << 8 | packet[offset + 1] & 0xff;
            default -> packet[offset] & 0xff;
        };
    }
}
