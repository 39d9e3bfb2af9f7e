package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.ebpf.BpfException;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.testing.Requirements;

/**
 * Our validity rules against the verifier's: each candidate runs between "r0..r9 = 0, the stack
 * slot at r10-8 = 0" and "r0 = 0; exit". What we call valid the kernel loads;
 * what we reject (a reserved field set, an undefined opcode) the kernel refuses too. Candidates
 * avoid what the verifier refuses for reasons beyond encoding: writing r10, dividing by the
 * constant 0, shifting by the width or more, arena casts without an arena, the kernel-internal
 * per-CPU move.
 */
@Tag("kernel")
class KernelAcceptanceTest {

    private static final int ERRNO_EINVAL = 22;
    private static final int ERRNO_EACCES = 13;

    @BeforeAll
    static void needsBpf() {
        Requirements.root();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void kernelAgreesWithOurRules(long seed) {
        Random random = new Random(seed);
        Comparison comparison = new Comparison();
        for (int i = 0; i < 250; i++) {
            int opcode = candidateOpcode(random);
            int dst = random.nextInt(10);
            int src = random.nextInt(4) == 0 ? random.nextInt(16) : random.nextInt(10);
            int offset = InstructionClass.of(opcode).isJump() ? 0 : pick(random, 0, 0, 1, 8, 16, 32, 3, -1);
            long imm = pick(random, 0, 0, 1, 16, 32, 64, 7, 24, random.nextInt(32));
            if (random.nextBoolean()) {
                // Half the candidates keep the reserved fields clear, so that many are valid.
                boolean register = Source.of(opcode) == Source.X;
                src = register ? src % 10 : 0;
                imm = register ? 0 : imm;
                int op = opcode & 0xf0;
                offset = InstructionClass.of(opcode).isJump()
                        ? 0
                        : op == AluOp.DIV.bits() || op == AluOp.MOD.bits()
                                ? pick(random, 0, 1)
                                : op == AluOp.MOV.bits() && register ? pick(random, 0, 8, 16, 32) : 0;
            }
            if (!verifierWouldAcceptSemantically(opcode, offset, imm)) {
                continue;
            }
            Verdicts verdicts = comparison.compare(opcode, dst, src, offset, imm);
            if (!verdicts.ours() && verdicts.kernelErrno() != 0) {
                assertThat(verdicts.kernelErrno())
                        .as("the kernel refuses an encoding with EINVAL or EACCES")
                        .isIn(ERRNO_EINVAL, ERRNO_EACCES);
            }
        }
        comparison.assertAgreement();
    }

    /**
     * Loads and stores on the stack: the base register is r10 and the offset -8 (aligned, an
     * initialised slot), the other fields vary. What we call valid the kernel loads; what we
     * reject it refuses.
     */
    @ParameterizedTest
    @ValueSource(longs = {3, 4})
    void kernelAgreesWithOurMemoryRules(long seed) {
        Random random = new Random(seed);
        Comparison comparison = new Comparison();
        int[] memoryOpcodes = java.util.Arrays.stream(SpecOpcodes.ALL)
                .filter(op -> op != 0xc2
                        && InstructionClass.of(op).isLoadOrStore()
                        && InstructionClass.of(op) != InstructionClass.LD)
                .toArray();
        int[] atomics = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100, 0x110, 0x02, 0xe0, 0x120};
        for (int i = 0; i < 250; i++) {
            boolean canonical = random.nextBoolean();
            int opcode = canonical
                    ? pick(random, memoryOpcodes)
                    : pick(random, 0x01, 0x02, 0x03, 0x03) | random.nextInt(32) << 3;
            Mode mode = Mode.of(opcode).orElse(null);
            int value = canonical ? random.nextInt(10) : random.nextInt(16);
            long imm = switch (InstructionClass.of(opcode)) {
                case ST -> random.nextInt();
                case STX ->
                    mode == Mode.ATOMIC
                            ? atomics[random.nextInt(atomics.length)]
                            : canonical ? 0 : pick(random, 0, 1, 8);
                default -> canonical ? 0 : pick(random, 0, 1, 8);
            };
            int dst;
            int src;
            if (InstructionClass.of(opcode) == InstructionClass.LDX
                    || (mode == Mode.ATOMIC && imm == AtomicOp.LOAD_ACQUIRE.imm())) {
                dst = value;
                src = 10;
            } else {
                dst = 10;
                src = InstructionClass.of(opcode) == InstructionClass.ST ? (canonical ? 0 : random.nextInt(16)) : value;
            }
            if (dst == 10 && src == 10) {
                continue; // storing the frame pointer: refused for what it does, not how it is encoded
            }
            int offset = -8;
            comparison.compare(opcode, dst, src, offset, imm);
        }
        comparison.assertAgreement();
    }

    /** Our verdict on one candidate (valid or not) and the kernel's: 0 when it loads it, else the errno. */
    private record Verdicts(boolean ours, int kernelErrno) {}

    /** Our rules against the kernel's over one seed's candidates. */
    private static final class Comparison {
        private final List<String> disagreements = new ArrayList<>();
        private int valid;
        private int invalid;

        Verdicts compare(int opcode, int dst, int src, int offset, long imm) {
            Optional<String> violation = InstructionRules.violation(opcode, dst, src, offset, imm);
            int errno = loadErrno(program(opcode, dst, src, offset, imm));
            if (violation.isEmpty() != (errno == 0)) {
                disagreements.add(String.format(
                        "op=0x%02x dst=%d src=%d off=%d imm=%d (0x%x): ours %s, kernel %s",
                        opcode,
                        dst,
                        src,
                        offset,
                        imm,
                        imm,
                        violation.orElse("valid"),
                        errno == 0 ? "loads it" : "errno " + errno));
            }
            if (violation.isEmpty()) {
                valid++;
            } else {
                invalid++;
            }
            return new Verdicts(violation.isEmpty(), errno);
        }

        /** No disagreement, over enough candidates of both kinds to mean something. */
        void assertAgreement() {
            assertThat(disagreements).isEmpty();
            assertThat(valid).as("valid candidates tried").isGreaterThan(30);
            assertThat(invalid).as("invalid candidates tried").isGreaterThan(30);
        }
    }

    /** ALU, ALU64, JMP and JMP32 opcodes, defined or not, except control flow that leaves the next slot. */
    private static int candidateOpcode(Random random) {
        while (true) {
            int cls = new int[] {0x04, 0x07, 0x05, 0x06}[random.nextInt(4)];
            int opcode = cls | random.nextInt(32) << 3;
            InstructionClass instructionClass = InstructionClass.of(opcode);
            int op = opcode & 0xf0;
            boolean controlFlow = instructionClass.isJump()
                    && (op == JumpOp.JA.bits()
                            || op == JumpOp.CALL.bits()
                            || op == JumpOp.EXIT.bits()
                            || op == JumpOp.JCOND.bits());
            if (!controlFlow) {
                return opcode;
            }
        }
    }

    private static boolean verifierWouldAcceptSemantically(int opcode, int offset, long imm) {
        boolean specialMove = opcode == (InstructionClass.ALU64.bits() | Source.X.bits() | AluOp.MOV.bits())
                && (offset == InstructionRules.ADDR_SPACE_CAST || offset == InstructionRules.PERCPU_ADDRESS);
        if (specialMove) {
            return false; // addr_space_cast needs an arena map; the per-CPU move is the kernel's own
        }
        if (!InstructionClass.of(opcode).isAlu() || Source.of(opcode) == Source.X) {
            return true;
        }
        boolean is64 = InstructionClass.of(opcode) == InstructionClass.ALU64;
        int op = opcode & 0xf0;
        if ((op == AluOp.DIV.bits() || op == AluOp.MOD.bits()) && imm == 0) {
            return false;
        }
        boolean shift = op == AluOp.LSH.bits() || op == AluOp.RSH.bits() || op == AluOp.ARSH.bits();
        return !shift || imm < (is64 ? 64 : 32);
    }

    /** 0 when the kernel loads {@code code} as a socket filter, else the errno it refuses it with. */
    private static int loadErrno(byte[] code) {
        try (Program ignored = Program.load(ProgramSpec.socketFilter("", code))) {
            return 0;
        } catch (BpfException refused) {
            return refused.errno();
        }
    }

    private static byte[] program(int opcode, int dst, int src, int offset, long imm) {
        List<Instruction> prefix = new ArrayList<>();
        for (int r = 0; r <= 9; r++) {
            prefix.add(Instruction.mov64(Register.of(r), 0));
        }
        prefix.add(Instruction.stxDW(Register.R10, -8, Register.R0));
        byte[] head = InstructionCodec.encode(prefix);
        byte[] tail = InstructionCodec.encode(List.of(Instruction.mov64(Register.R0, 0), Instruction.exit()));
        ByteBuffer code = ByteBuffer.allocate(head.length + 8 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
        code.put(head);
        code.put((byte) opcode)
                .put((byte) (dst | src << 4))
                .putShort((short) offset)
                .putInt((int) imm);
        code.put(tail);
        return code.array();
    }

    private static int pick(Random random, int... values) {
        return values[random.nextInt(values.length)];
    }
}
