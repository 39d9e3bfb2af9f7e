package org.levee.cbpf;

import static org.levee.cbpf.CbpfInstruction.*;

/**
 * Checks a program against the rules Linux applies to a classic BPF socket filter
 * ({@code bpf_check_classic} and {@code check_load_and_stores} in net/core/filter.c), so that a
 * program accepted here is one the kernel would accept and that every backend can run:
 *
 * <ul>
 *   <li>1 to {@value #MAX_INSTRUCTIONS} instructions;
 *   <li>only the opcodes the kernel knows (e.g. no {@code ret x}, no {@code neg x});
 *   <li>jumps land inside the program (they can only go forward);
 *   <li>the last instruction is a return, so every path ends in one;
 *   <li>scratch memory indexes are below 16, and no scratch word is read before it is written on
 *       every path to the read;
 *   <li>no division or modulo by the constant 0, no shift by a constant of 32 or more;
 *   <li>no Linux ancillary loads ({@code ld #proto}, {@code ld #vlan_avail}…: absolute loads at
 *       {@code SKF_AD_OFF} + n), and no negative header-relative offsets ({@code SKF_NET_OFF},
 *       {@code SKF_LL_OFF}): they read socket-buffer metadata that XDP does not have. The packet
 *       length ({@code ld #len}) is an ordinary instruction and is allowed.
 * </ul>
 */
public final class CbpfValidator {
    /** {@code BPF_MAXINSNS}. */
    public static final int MAX_INSTRUCTIONS = 4096;
    /** Absolute loads at this offset and above are Linux ancillary data ({@code SKF_AD_OFF}). */
    public static final int SKF_AD_OFF = -0x1000;
    /** Loads relative to the network header ({@code SKF_NET_OFF}). */
    public static final int SKF_NET_OFF = -0x100000;
    /** Loads relative to the link-layer header ({@code SKF_LL_OFF}). */
    public static final int SKF_LL_OFF = -0x200000;

    /** The Linux ancillary extensions, indexed by (k - SKF_AD_OFF) / 4, named as bpf_asm does. */
    private static final String[] ANCILLARY = {
        "#proto (SKF_AD_PROTOCOL)",
        "#type (SKF_AD_PKTTYPE)",
        "#ifidx (SKF_AD_IFINDEX)",
        "#nla (SKF_AD_NLATTR)",
        "#nlan (SKF_AD_NLATTR_NEST)",
        "#mark (SKF_AD_MARK)",
        "#queue (SKF_AD_QUEUE)",
        "#hatype (SKF_AD_HATYPE)",
        "#rxhash (SKF_AD_RXHASH)",
        "#cpu (SKF_AD_CPU)",
        "#xor_x (SKF_AD_ALU_XOR_X)",
        "#vlan_tci (SKF_AD_VLAN_TAG)",
        "#vlan_avail (SKF_AD_VLAN_TAG_PRESENT)",
        "#poff (SKF_AD_PAY_OFFSET)",
        "#rand (SKF_AD_RANDOM)",
        "#vlan_tpid (SKF_AD_VLAN_TPID)",
    };

    private CbpfValidator() {}

    /**
     * Returns normally when the kernel would accept {@code program}; otherwise throws a
     * {@link CbpfException} whose message names the first offending instruction and the rule.
     */
    public static void validate(CbpfProgram program) {
        int length = program.size();
        if (length == 0) {
            throw new CbpfException("the program is empty: a filter needs at least one instruction (a return)");
        }
        if (length > MAX_INSTRUCTIONS) {
            throw new CbpfException(
                    "the program has " + length + " instructions, more than the kernel's limit of " + MAX_INSTRUCTIONS);
        }
        for (int pc = 0; pc < length; pc++) {
            checkInstruction(program.get(pc), pc, length);
        }
        CbpfInstruction last = program.get(length - 1);
        if (!last.isReturn()) {
            throw CbpfException.atInstruction(
                    length - 1,
                    "the last instruction must be a return (ret #k or ret a), so that every path ends in one");
        }
        checkScratchReadsFollowWrites(program);
    }

    /** True when {@link #validate} accepts {@code program}. */
    public static boolean isValid(CbpfProgram program) {
        try {
            validate(program);
            return true;
        } catch (CbpfException e) {
            return false;
        }
    }

    private static void checkInstruction(CbpfInstruction insn, int pc, int length) {
        int k = insn.k();
        switch (insn.code()) {
            case LD | W | ABS, LD | H | ABS, LD | B | ABS -> checkAbsoluteOffset(k, pc);
            case LD | W | IND,
                    LD | H | IND,
                    LD | B | IND,
                    LD | W | IMM,
                    LD | W | LEN,
                    LDX | W | IMM,
                    LDX | W | LEN,
                    LDX | B | MSH,
                    MISC | TAX,
                    MISC | TXA,
                    RET | K,
                    RET | A,
                    ALU | NEG -> {}
            case LD | W | MEM, LDX | W | MEM, ST, STX -> {
                if (Integer.compareUnsigned(k, MEMORY_WORDS) >= 0) {
                    throw CbpfException.atInstruction(
                            pc,
                            "scratch memory index " + Integer.toUnsignedString(k)
                                    + " is out of range: there are " + MEMORY_WORDS + " words, M[0]..M["
                                    + (MEMORY_WORDS - 1)
                                    + "]");
                }
            }
            case ALU | ADD | K,
                    ALU | SUB | K,
                    ALU | MUL | K,
                    ALU | OR | K,
                    ALU | AND | K,
                    ALU | XOR | K,
                    ALU | ADD | X,
                    ALU | SUB | X,
                    ALU | MUL | X,
                    ALU | DIV | X,
                    ALU | MOD | X,
                    ALU | OR | X,
                    ALU | AND | X,
                    ALU | XOR | X,
                    ALU | LSH | X,
                    ALU | RSH | X -> {}
            case ALU | DIV | K, ALU | MOD | K -> {
                if (k == 0) {
                    throw CbpfException.atInstruction(
                            pc, (insn.op() == DIV ? "division" : "modulo") + " by the constant 0");
                }
            }
            case ALU | LSH | K, ALU | RSH | K -> {
                if (Integer.compareUnsigned(k, 32) >= 0) {
                    throw CbpfException.atInstruction(
                            pc,
                            "shift by the constant " + Integer.toUnsignedString(k)
                                    + ": shifts of a 32-bit register must be below 32");
                }
            }
            case JMP | JA -> {
                long target = pc + 1L + Integer.toUnsignedLong(k);
                if (k < 0 && pc + 1L + k >= 0) {
                    throw CbpfException.atInstruction(
                            pc,
                            "ja " + k + " jumps backwards, to instruction " + (pc + 1 + k)
                                    + ": classic BPF jumps only go forward, so that every filter ends");
                }
                if (target >= length) {
                    throw CbpfException.atInstruction(
                            pc,
                            "ja jumps to instruction " + target + ", past the last instruction (" + (length - 1) + ")");
                }
            }
            case JMP | JEQ | K,
                    JMP | JGT | K,
                    JMP | JGE | K,
                    JMP | JSET | K,
                    JMP | JEQ | X,
                    JMP | JGT | X,
                    JMP | JGE | X,
                    JMP | JSET | X -> {
                for (int offset : new int[] {insn.jt(), insn.jf()}) {
                    int target = pc + 1 + offset;
                    if (target >= length) {
                        throw CbpfException.atInstruction(
                                pc,
                                "conditional jump to instruction " + target
                                        + " (" + (offset == insn.jt() ? "jt" : "jf") + " = " + offset
                                        + "), past the last instruction (" + (length - 1) + ")");
                    }
                }
            }
            default ->
                throw CbpfException.atInstruction(
                        pc,
                        "unknown opcode 0x" + Integer.toHexString(insn.code()) + " (" + describeUnknown(insn) + ")");
        }
    }

    private static void checkAbsoluteOffset(int k, int pc) {
        if (k >= SKF_AD_OFF && k < 0) {
            int extension = k - SKF_AD_OFF;
            String name = extension % 4 == 0 && extension / 4 < ANCILLARY.length
                    ? ANCILLARY[extension / 4]
                    : "unknown extension SKF_AD_OFF + " + extension;
            throw CbpfException.atInstruction(
                    pc,
                    "Linux ancillary load " + name
                            + " is not supported: it reads socket-buffer metadata, not packet bytes, and XDP has none");
        }
        if (k >= SKF_NET_OFF && k < SKF_AD_OFF) {
            throw CbpfException.atInstruction(
                    pc,
                    "negative offset SKF_NET_OFF + " + (k - SKF_NET_OFF)
                            + " (relative to the network header) is not supported: use an offset from the packet start");
        }
        if (k >= SKF_LL_OFF && k < SKF_NET_OFF) {
            throw CbpfException.atInstruction(
                    pc,
                    "negative offset SKF_LL_OFF + " + (k - SKF_LL_OFF)
                            + " (relative to the link-layer header) is not supported: use an offset from the packet start");
        }
    }

    private static String describeUnknown(CbpfInstruction insn) {
        return switch (insn.code()) {
            case RET | X -> "ret x is not a kernel instruction: use txa; ret a";
            case ALU | NEG | X -> "neg takes no operand";
            default -> "not an instruction Linux accepts in a classic BPF filter";
        };
    }

    /**
     * The kernel's check that every scratch read follows a write on every path: forward data flow
     * over the bit set of written words, meeting (AND) at jump targets.
     */
    private static void checkScratchReadsFollowWrites(CbpfProgram program) {
        int length = program.size();
        int[] written = new int[length];
        java.util.Arrays.fill(written, 0xffff);
        int valid = 0; // words written on every path reaching the current instruction by falling through
        for (int pc = 0; pc < length; pc++) {
            valid &= written[pc];
            CbpfInstruction insn = program.get(pc);
            switch (insn.code()) {
                case ST, STX -> valid |= 1 << insn.k();
                case LD | W | MEM, LDX | W | MEM -> {
                    if ((valid & (1 << insn.k())) == 0) {
                        throw CbpfException.atInstruction(
                                pc,
                                "reads scratch word M[" + insn.k()
                                        + "] before it is written on every path to this instruction");
                    }
                }
                case JMP | JA -> {
                    written[pc + 1 + insn.k()] &= valid;
                    valid = 0xffff; // nothing falls through a jump
                }
                case RET | K, RET | A -> valid = 0xffff;
                default -> {
                    if (insn.isConditionalJump()) {
                        written[pc + 1 + insn.jt()] &= valid;
                        written[pc + 1 + insn.jf()] &= valid;
                        valid = 0xffff;
                    }
                }
            }
        }
    }
}
