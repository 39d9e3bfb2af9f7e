package org.levee.cbpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The interpreter's semantics, instruction by instruction (libpcap differential tests are elsewhere). */
class CbpfInterpreterTest {

    private static final byte[] PACKET = {
        (byte) 0x12,
        (byte) 0x34,
        (byte) 0x56,
        (byte) 0x78,
        (byte) 0x9a,
        (byte) 0xbc,
        (byte) 0xde,
        (byte) 0xf0,
        0x45,
        0x00
    };

    private static int runA(CbpfInstruction... body) {
        CbpfInstruction[] program = new CbpfInstruction[body.length + 1];
        System.arraycopy(body, 0, program, 0, body.length);
        program[body.length] = retA();
        return CbpfInterpreter.run(CbpfProgram.of(program), PACKET);
    }

    @Test
    void loadsAreBigEndianAndUnsigned() {
        assertThat(runA(ldAbsW(0))).isEqualTo(0x12345678);
        assertThat(runA(ldAbsW(4))).isEqualTo(0x9abcdef0);
        assertThat(runA(ldAbsH(4))).isEqualTo(0x9abc);
        assertThat(runA(ldAbsB(5))).isEqualTo(0xbc);
        assertThat(runA(ldxImm(3), ldIndH(1))).isEqualTo(0x9abc);
        assertThat(runA(ldxImm(2), ldIndB(3))).isEqualTo(0xbc);
        assertThat(runA(ldxImm(1), ldIndW(5))).isEqualTo(0xdef04500);
    }

    @Test
    void loadsEndingPastTheCapturedBytesReturnZero() {
        assertThat(runA(ldImm(7), ldAbsW(7))).isEqualTo(0);
        assertThat(runA(ldImm(7), ldAbsW(6))).isEqualTo(0xdef04500);
        assertThat(runA(ldImm(7), ldAbsH(9))).isEqualTo(0);
        assertThat(runA(ldImm(7), ldAbsB(10))).isEqualTo(0);
        assertThat(runA(ldImm(7), ldAbsB(-1))).as("offsets are unsigned").isEqualTo(0);
        assertThat(runA(ldImm(7), ldxImm(-1), ldIndB(1)))
                .as("x + k does not wrap")
                .isEqualTo(0);
        assertThat(runA(ldImm(7), ldxImm(8), ldIndH(1))).isEqualTo(0);
        assertThat(runA(ldImm(7), ldxMsh(10))).isEqualTo(0);
    }

    @Test
    void lenIsTheWireLengthAndMshIsTheIpv4HeaderLength() {
        CbpfProgram len = CbpfProgram.of(ldLen(), retA());
        assertThat(CbpfInterpreter.run(len, PACKET, 1500)).isEqualTo(1500);
        assertThat(CbpfInterpreter.run(len, PACKET)).isEqualTo(PACKET.length);
        assertThat(CbpfInterpreter.run(CbpfProgram.of(ldxLen(), txa(), retA()), PACKET, 99))
                .isEqualTo(99);
        assertThat(runA(ldxMsh(8), txa())).isEqualTo(20);
        assertThatThrownBy(() -> CbpfInterpreter.run(len, PACKET, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wireLength 3");
    }

    @Test
    void divisionAndModuloByZeroReturnZero() {
        assertThat(runA(ldImm(100), ldxImm(0), aluX(DIV))).isEqualTo(0);
        assertThat(runA(ldImm(100), ldxImm(0), aluX(MOD))).isEqualTo(0);
        assertThat(runA(ldImm(100), divK(0))).isEqualTo(0);
        assertThat(runA(ldImm(100), modK(0))).isEqualTo(0);
        assertThat(runA(ldImm(-1), ldxImm(2), aluX(DIV)))
                .as("unsigned division")
                .isEqualTo(0x7fffffff);
        assertThat(runA(ldImm(-1), modK(10))).as("unsigned modulo").isEqualTo((int) (0xffffffffL % 10));
    }

    @Test
    void shiftsUseTheLowFiveBitsOfTheAmount() {
        assertThat(runA(ldImm(1), ldxImm(33), aluX(LSH))).isEqualTo(2);
        assertThat(runA(ldImm(0x80000000), ldxImm(31), aluX(RSH)))
                .as("logical shift")
                .isEqualTo(1);
        assertThat(runA(ldImm(0x80000000), rshK(4))).isEqualTo(0x08000000);
    }

    @Test
    void scratchMemoryAndRegisterMoves() {
        assertThat(runA(ldImm(5), st(15), ldImm(0), tax(), ldxImm(9), stx(0), ldMem(15), ldxMem(0), aluX(ADD)))
                .isEqualTo(14);
        assertThat(runA(ldImm(5), neg())).isEqualTo(-5);
        assertThatThrownBy(() -> runA(st(16)))
                .isInstanceOf(CbpfException.class)
                .hasMessageContaining("instruction 0")
                .hasMessageContaining("16");
    }

    @Test
    void jumpsCompareUnsigned() {
        // if (A > k) return 1 else return 2, for A = 0xffffffff and k = 1: unsigned says greater.
        CbpfProgram gt = CbpfProgram.of(ldImm(-1), jgtK(1, 0, 1), retK(1), retK(2));
        assertThat(CbpfInterpreter.run(gt, PACKET)).isEqualTo(1);
        CbpfProgram ge = CbpfProgram.of(ldImm(7), ldxImm(7), jgeX(1, 0), retK(2), retK(1));
        assertThat(CbpfInterpreter.run(ge, PACKET)).isEqualTo(1);
        CbpfProgram set = CbpfProgram.of(ldAbsB(0), jsetK(0x02, 0, 1), retK(1), retK(2));
        assertThat(CbpfInterpreter.run(set, PACKET)).isEqualTo(1);
        CbpfProgram ja = CbpfProgram.of(ja(1), retK(1), retK(2));
        assertThat(CbpfInterpreter.run(ja, PACKET)).isEqualTo(2);
    }

    @Test
    void invalidProgramsFailNamingTheInstruction() {
        assertThatThrownBy(() -> CbpfInterpreter.run(CbpfProgram.of(ldImm(1)), PACKET))
                .isInstanceOf(CbpfException.class)
                .hasMessageContaining("past its last instruction");
        assertThatThrownBy(
                        () -> CbpfInterpreter.run(CbpfProgram.of(ldImm(1), new CbpfInstruction(0xff, 0, 0, 0)), PACKET))
                .isInstanceOf(CbpfException.class)
                .hasMessageContaining("instruction 1")
                .hasMessageContaining("0xff");
        assertThatThrownBy(() -> CbpfInterpreter.run(CbpfProgram.of(ja(-1), retK(1)), PACKET))
                .isInstanceOf(CbpfException.class)
                .hasMessageContaining("past its last instruction");
    }

    /** The ALU against a 64-bit model of unsigned 32-bit arithmetic, on seeded random operands. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aluMatchesUnsigned32BitArithmetic(long seed) {
        Random random = new Random(seed);
        int[] ops = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR};
        for (int i = 0; i < 500; i++) {
            int a = random.nextBoolean() ? random.nextInt() : random.nextInt(64);
            int x = random.nextBoolean() ? random.nextInt() : random.nextInt(40);
            int op = ops[random.nextInt(ops.length)];
            long ua = Integer.toUnsignedLong(a);
            long ux = Integer.toUnsignedLong(x);
            long expected = switch (op) {
                        case ADD -> ua + ux;
                        case SUB -> ua - ux;
                        case MUL -> ua * ux;
                        case DIV -> ux == 0 ? 0 : ua / ux;
                        case OR -> ua | ux;
                        case AND -> ua & ux;
                        case LSH -> ua << (ux & 31);
                        case RSH -> ua >>> (ux & 31);
                        case MOD -> ux == 0 ? 0 : ua % ux;
                        default -> ua ^ ux;
                    }
                    & 0xffffffffL;
            assertThat(Integer.toUnsignedLong(runA(ldImm(a), ldxImm(x), aluX(op))))
                    .as("0x%x op 0x%x x %d", a, op, x)
                    .isEqualTo(expected);
            if (!((op == DIV || op == MOD) && x == 0)) {
                assertThat(Integer.toUnsignedLong(runA(ldImm(a), aluK(op, x))))
                        .as("0x%x op 0x%x k %d", a, op, x)
                        .isEqualTo(expected);
            }
        }
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 4).mapToObj(i -> 0xC0FFEEL + i);
    }
}
