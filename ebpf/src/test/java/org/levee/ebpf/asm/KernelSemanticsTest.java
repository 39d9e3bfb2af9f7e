package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.testing.Requirements;

/**
 * The running kernel is the reference for what an encoding means: each case is loaded (the
 * verifier must accept it) and run, and the 64-bit value it leaves in r0 must be the one the
 * instruction set specifies. This catches wrong opcodes, swapped fields and misread offsets
 * that a round trip through our own codec cannot.
 */
@Tag("kernel")
class KernelSemanticsTest {

    @BeforeAll
    static void needsBpf() {
        Requirements.root();
    }

    private static final long PATTERN = 0x1234_5678_9abc_def0L;

    /** 64 bytes, byte i is i: the ld_abs and ld_ind cases read known values from it. */
    private static final byte[] PACKET = new byte[64];

    static {
        for (int i = 0; i < PACKET.length; i++) {
            PACKET[i] = (byte) i;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ld_imm64", List.of(ldImm64(R0, 0x0123_4567_89ab_cdefL)), 0x0123_4567_89ab_cdefL),
                Arguments.of("movsx64 s8", List.of(mov64(R1, 0x80), movsx64(R0, R1, 8)), -128L),
                Arguments.of("movsx64 s16", List.of(mov64(R1, 0x8001), movsx64(R0, R1, 16)), -32767L),
                Arguments.of("movsx64 s32", List.of(ldImm64(R1, 0x8000_0000L), movsx64(R0, R1, 32)), -2147483648L),
                Arguments.of("movsx32 s8", List.of(mov64(R1, 0xff), movsx32(R0, R1, 8)), 0xffff_ffffL),
                Arguments.of("mov32 zero-extends", List.of(ldImm64(R1, -1), mov32(R0, R1)), 0xffff_ffffL),
                Arguments.of("div64 unsigned", List.of(mov64(R0, -7), div64(R0, 2)), 0x7fff_ffff_ffff_fffcL),
                Arguments.of("sdiv64", List.of(mov64(R0, -7), sdiv64(R0, 2)), -3L),
                Arguments.of("smod64", List.of(mov64(R0, -7), mov64(R1, 2), smod64(R0, R1)), -1L),
                Arguments.of("sdiv32", List.of(mov32(R0, -7), signed32(AluOp.DIV, R0, 2)), 0xffff_fffdL),
                Arguments.of("arsh64", List.of(mov64(R0, -16), arsh64(R0, 2)), -4L),
                Arguments.of("arsh32", List.of(mov64(R0, -16), alu32(AluOp.ARSH, R0, 2)), 0xffff_fffcL),
                Arguments.of("neg32", List.of(mov64(R0, 5), neg32(R0)), 0xffff_fffbL),
                Arguments.of(
                        "ldx s8", List.of(mov64(R1, 0x80), stxB(R10, -1, R1), ldxSigned(Size.B, R0, R10, -1)), -128L),
                Arguments.of(
                        "ldx s16",
                        List.of(mov64(R1, 0x8000), stxH(R10, -2, R1), ldxSigned(Size.H, R0, R10, -2)),
                        -32768L),
                Arguments.of(
                        "ldx s32",
                        List.of(ldImm64(R1, 0xffff_fffeL), stxW(R10, -4, R1), ldxSigned(Size.W, R0, R10, -4)),
                        -2L),
                Arguments.of("ldx u32", List.of(ldImm64(R1, -2), stxDW(R10, -8, R1), ldxW(R0, R10, -8)), 0xffff_fffeL),
                Arguments.of("st", List.of(st(Size.DW, R10, -8, -5), ldxDW(R0, R10, -8)), -5L),
                Arguments.of("bswap16", List.of(ldImm64(R0, PATTERN), byteSwap(R0, 16)), 0xf0deL),
                Arguments.of("bswap32", List.of(ldImm64(R0, PATTERN), byteSwap(R0, 32)), 0xf0de_bc9aL),
                Arguments.of("bswap64", List.of(ldImm64(R0, PATTERN), byteSwap(R0, 64)), 0xf0de_bc9a_7856_3412L),
                Arguments.of("be16", List.of(ldImm64(R0, PATTERN), toBigEndian(R0, 16)), 0xf0deL),
                Arguments.of("be64", List.of(ldImm64(R0, PATTERN), toBigEndian(R0, 64)), 0xf0de_bc9a_7856_3412L),
                Arguments.of("le16", List.of(ldImm64(R0, PATTERN), toLittleEndian(R0, 16)), 0xdef0L),
                Arguments.of("le32", List.of(ldImm64(R0, PATTERN), toLittleEndian(R0, 32)), 0x9abc_def0L),
                // skb->len (never 0) is unknown to the verifier, so both paths stay reachable.
                Arguments.of(
                        "gotol", List.of(ldxW(R2, R1, 0), mov64(R0, 1), jeqImm(R2, 0, 1), gotol(1), mov64(R0, 2)), 1L),
                Arguments.of(
                        "jmp32 compares the low half",
                        List.of(ldImm64(R1, 0x1_0000_0005L), mov64(R0, 7), jump32(JumpOp.JNE, R1, 5, 1), mov64(R0, 42)),
                        42L),
                Arguments.of(
                        "jmp64 compares all bits",
                        List.of(ldImm64(R1, 0x1_0000_0005L), mov64(R0, 7), jneImm(R1, 5, 1), mov64(R0, 42)),
                        7L),
                Arguments.of("jslt signed", List.of(mov64(R1, -1), mov64(R0, 1), jsltImm(R1, 0, 1), mov64(R0, 2)), 1L),
                Arguments.of("jlt unsigned", List.of(mov64(R1, -1), mov64(R0, 1), jltImm(R1, 0, 1), mov64(R0, 2)), 2L),
                Arguments.of(
                        "atomic fetch_add 64",
                        List.of(
                                mov64(R1, 10),
                                stxDW(R10, -8, R1),
                                mov64(R2, 5),
                                atomicFetchAdd(Size.DW, R10, -8, R2),
                                ldxDW(R0, R10, -8),
                                mul64(R0, 100),
                                add64(R0, R2)),
                        1510L),
                Arguments.of(
                        "atomic xchg 32",
                        List.of(
                                mov64(R1, 3),
                                stxW(R10, -4, R1),
                                mov64(R2, 9),
                                atomicXchg(Size.W, R10, -4, R2),
                                ldxW(R0, R10, -4),
                                mul64(R0, 100),
                                add64(R0, R2)),
                        903L),
                Arguments.of(
                        "atomic cmpxchg 64",
                        List.of(
                                mov64(R1, 10),
                                stxDW(R10, -8, R1),
                                mov64(R0, 10),
                                mov64(R2, 77),
                                atomicCmpxchg(Size.DW, R10, -8, R2),
                                ldxDW(R3, R10, -8),
                                mul64(R3, 100),
                                add64(R3, R0),
                                mov64(R0, R3)),
                        7710L),
                Arguments.of(
                        "atomic cmpxchg 32 mismatch",
                        List.of(
                                mov64(R1, 10),
                                stxW(R10, -4, R1),
                                mov64(R0, 11),
                                mov64(R2, 77),
                                atomicCmpxchg(Size.W, R10, -4, R2),
                                ldxW(R3, R10, -4),
                                mul64(R3, 100),
                                add64(R3, R0),
                                mov64(R0, R3)),
                        1010L),
                Arguments.of(
                        "atomic or 32",
                        List.of(
                                mov64(R1, 0x0f),
                                stxW(R10, -4, R1),
                                mov64(R2, 0xf0),
                                atomic(AtomicOp.OR, Size.W, R10, -4, R2),
                                ldxW(R0, R10, -4)),
                        0xffL),
                Arguments.of(
                        "atomic fetch_xor 64",
                        List.of(
                                mov64(R1, 0b1100),
                                stxDW(R10, -8, R1),
                                mov64(R2, 0b1010),
                                atomic(AtomicOp.FETCH_XOR, Size.DW, R10, -8, R2),
                                ldxDW(R0, R10, -8),
                                mul64(R0, 100),
                                add64(R0, R2)),
                        612L),
                Arguments.of(
                        "store_release, load_acquire",
                        List.of(mov64(R1, 99), storeRelease(Size.DW, R10, -8, R1), loadAcquire(Size.DW, R0, R10, -8)),
                        99L),
                // A socket filter's packet data starts after the Ethernet header: offset 0 is byte 14.
                Arguments.of("ld_abs", List.of(mov64(R6, R1), ldAbs(Size.H, 12)), 0x1a1bL),
                Arguments.of("ld_ind", List.of(mov64(R6, R1), mov64(R7, 2), ldInd(Size.W, R7, 10)), 0x1a1b_1c1dL),
                Arguments.of(
                        "backward loop",
                        new Assembler()
                                .emit(mov64(R0, 0), mov64(R1, 1))
                                .label("loop")
                                .emit(add64(R0, R1), add64(R1, 1))
                                .jleImm(R1, 10, "loop")
                                .assemble()
                                .instructions(),
                        55L),
                Arguments.of(
                        "may_goto",
                        new Assembler()
                                .emit(mov64(R0, 0))
                                .label("loop")
                                .mayGoto("out")
                                .emit(add64(R0, 1))
                                .jltImm(R0, 10, "loop")
                                .label("out")
                                .emit(mov64(R1, 0))
                                .assemble()
                                .instructions(),
                        10L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kernelComputesWhatTheSpecificationSays(String name, List<Instruction> body, long expected) {
        long low = Integer.toUnsignedLong(run(append(body, exit())));
        long high = Integer.toUnsignedLong(run(append(body, rsh64(R0, 32), exit())));
        assertThat(high << 32 | low).as(name + " = 0x%x", expected).isEqualTo(expected);
    }

    @Test
    void bpfToBpfCallReachesItsLabel() {
        AssembledProgram program = new Assembler()
                .emit(mov64(R1, 20))
                .callSubprogram("double")
                .emit(add64(R0, 2), exit())
                .label("double") // subprograms follow the main program
                .emit(mov64(R0, R1), add64(R0, R1), exit())
                .assemble();
        assertThat(run(program.instructions())).isEqualTo(42);
    }

    /** Loads {@code program} as a socket filter, runs it once on {@link #PACKET}; r0's low 32 bits, as the kernel reports it. */
    private static int run(List<Instruction> program) {
        try (Program loaded = Program.load(ProgramSpec.socketFilter("semantics", InstructionCodec.encode(program)))) {
            return loaded.testRun(TestRun.of(PACKET)).returnValue();
        }
    }

    private static List<Instruction> append(List<Instruction> body, Instruction... tail) {
        List<Instruction> program = new ArrayList<>(body);
        program.addAll(List.of(tail));
        return program;
    }
}
