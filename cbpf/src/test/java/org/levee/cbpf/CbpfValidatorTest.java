package org.levee.cbpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.testing.RandomPrograms;
import org.levee.testing.Requirements;

/** Each rule of the kernel's classic BPF checker, with the index of the offending instruction. */
class CbpfValidatorTest {

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("empty", List.of(), -1, "empty"),
                Arguments.of("too long", Collections.nCopies(4097, retK(0)), -1, "4097 instructions"),
                Arguments.of(
                        "unknown opcode",
                        List.of(ldImm(0), new CbpfInstruction(0xff, 0, 0, 0), retA()),
                        1,
                        "unknown opcode 0xff"),
                Arguments.of("ret x", List.of(ldxImm(1), new CbpfInstruction(RET | X, 0, 0, 0)), 1, "ret x"),
                Arguments.of(
                        "neg x",
                        List.of(ldImm(1), new CbpfInstruction(ALU | NEG | X, 0, 0, 0), retA()),
                        1,
                        "neg takes no operand"),
                Arguments.of(
                        "ld half word immediate",
                        List.of(new CbpfInstruction(LD | H | IMM, 0, 0, 1), retA()),
                        0,
                        "unknown opcode 0x8"),
                Arguments.of(
                        "jt past the end",
                        List.of(ldImm(0), jeqK(0, 2, 0), retK(1), retK(0)),
                        1,
                        "instruction 4 (jt = 2)"),
                Arguments.of(
                        "jf past the end",
                        List.of(ldImm(0), jgtX(0, 5), retK(1), retK(0)),
                        1,
                        "instruction 7 (jf = 5)"),
                Arguments.of("ja past the end", List.of(ja(2), retK(1), retK(0)), 0, "past the last instruction"),
                Arguments.of("ja backwards", List.of(ldImm(0), retK(0), ja(-2), retK(0)), 2, "jumps backwards"),
                Arguments.of(
                        "last not a return",
                        List.of(ldImm(0), jeqK(0, 0, 1), retK(1), ldImm(2)),
                        3,
                        "last instruction must be a return"),
                Arguments.of("scratch index ld", List.of(ldMem(16), retA()), 0, "scratch memory index 16"),
                Arguments.of("scratch index st", List.of(st(-1), retA()), 0, "scratch memory index 4294967295"),
                Arguments.of("scratch index ldx", List.of(ldxMem(20), retA()), 0, "scratch memory index 20"),
                Arguments.of("scratch index stx", List.of(stx(16), retA()), 0, "scratch memory index 16"),
                Arguments.of("read before write", List.of(ldImm(1), st(2), ldMem(3), retA()), 2, "M[3]"),
                Arguments.of(
                        "read written on one path only",
                        List.of(ldAbsB(0), jeqK(1, 0, 1), st(4), ldMem(4), retA()),
                        3,
                        "M[4]"),
                Arguments.of(
                        "division by constant 0", List.of(ldImm(1), divK(0), retA()), 1, "division by the constant 0"),
                Arguments.of("modulo by constant 0", List.of(ldImm(1), modK(0), retA()), 1, "modulo by the constant 0"),
                Arguments.of("shift by 32", List.of(ldImm(1), lshK(32), retA()), 1, "shift by the constant 32"),
                Arguments.of("right shift by -1", List.of(ldImm(1), rshK(-1), retA()), 1, "4294967295"),
                Arguments.of("ancillary #proto", List.of(ldAbsH(-0x1000), retA()), 0, "#proto"),
                Arguments.of("ancillary #vlan_avail", List.of(ldAbsB(-0x1000 + 48), retA()), 0, "#vlan_avail"),
                Arguments.of("ancillary #vlan_tci", List.of(ldAbsW(-0x1000 + 44), retA()), 0, "#vlan_tci"),
                Arguments.of("ancillary #rand", List.of(ldImm(0), ldAbsW(-0x1000 + 56), retA()), 1, "#rand"),
                Arguments.of("unknown ancillary", List.of(ldAbsW(-0x1000 + 400), retA()), 0, "SKF_AD_OFF + 400"),
                Arguments.of("SKF_NET_OFF", List.of(ldAbsB(-0x100000 + 9), retA()), 0, "SKF_NET_OFF + 9"),
                Arguments.of("SKF_LL_OFF", List.of(ldAbsH(-0x200000 + 12), retA()), 0, "SKF_LL_OFF + 12"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsNamingTheInstruction(String rule, List<CbpfInstruction> instructions, int index, String text) {
        CbpfProgram program = new CbpfProgram(instructions);
        CbpfException error = catchThrowableOfType(CbpfException.class, () -> CbpfValidator.validate(program));
        assertThat(error).as(rule).isNotNull();
        assertThat(error.getMessage()).contains(text);
        if (index >= 0) {
            assertThat(error.instructionIndex()).hasValue(index);
            assertThat(error.getMessage()).startsWith("instruction " + index + ":");
        } else {
            assertThat(error.instructionIndex()).isEmpty();
        }
        assertThat(CbpfValidator.isValid(program)).isFalse();
    }

    @Test
    void acceptsEveryKernelInstruction() {
        List<CbpfInstruction> program = new ArrayList<>(List.of(
                ldAbsW(0),
                ldAbsH(2),
                ldAbsB(3),
                ldxImm(1),
                ldIndW(0),
                ldIndH(0),
                ldIndB(0),
                ldImm(5),
                ldLen(),
                ldxLen(),
                ldxMsh(14),
                st(0),
                stx(15),
                ldMem(0),
                ldxMem(15),
                tax(),
                txa(),
                neg()));
        for (int op : new int[] {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR}) {
            program.add(aluK(op, 3));
            program.add(aluX(op));
        }
        program.addAll(List.of(
                jeqK(1, 0, 0),
                jgtK(1, 0, 0),
                jgeK(1, 0, 0),
                jsetK(1, 0, 0),
                jeqX(0, 0),
                jgtX(0, 0),
                jgeX(0, 0),
                jsetX(0, 0),
                ja(1),
                retK(0),
                jeqK(0, 1, 0),
                retA(),
                retK(1)));
        assertThatCode(() -> CbpfValidator.validate(new CbpfProgram(program))).doesNotThrowAnyException();
        assertThatCode(() -> CbpfValidator.validate(new CbpfProgram(Collections.nCopies(4096, retK(0)))))
                .as("exactly 4096 instructions")
                .doesNotThrowAnyException();
        // Relative to a positive offset nothing is special: only the SKF_* ranges are rejected.
        assertThatCode(() -> CbpfValidator.validate(CbpfProgram.of(ldAbsW(0x7fffffff), ldIndB(-1), retA())))
                .doesNotThrowAnyException();
    }

    @Test
    void scratchWrittenOnEveryPathMayBeRead() {
        CbpfProgram bothPaths = CbpfProgram.of(ldAbsB(0), jeqK(1, 0, 2), st(4), ja(1), stx(4), ldMem(4), retA());
        assertThatCode(() -> CbpfValidator.validate(bothPaths)).doesNotThrowAnyException();
    }

    /** libpcap compiles "protochain" to a loop (a backward ja), which the kernel refuses. */
    @Test
    void rejectsLibpcapProtochainLoop() {
        Requirements.library(Libpcap.SONAME);
        CbpfProgram program = Libpcap.compile("ip6 protochain 6");
        CbpfException error = catchThrowableOfType(CbpfException.class, () -> CbpfValidator.validate(program));
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains("jumps backwards");
    }

    /**
     * Random programs: whenever the validator accepts one, the interpreter runs it to a return on
     * any packet without throwing (what the validator promises to every backend).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void acceptedRandomProgramsAlwaysTerminateInAReturn(long seed) {
        Random random = new Random(seed);
        int accepted = 0;
        for (int n = 0; n < 3000; n++) {
            CbpfProgram program = RandomPrograms.anyProgram(random, 1 + random.nextInt(12));
            if (!CbpfValidator.isValid(program)) {
                continue;
            }
            accepted++;
            for (int p = 0; p < 5; p++) {
                byte[] packet = new byte[random.nextInt(64)];
                random.nextBytes(packet);
                CbpfInterpreter.run(program, packet, packet.length + random.nextInt(100));
            }
        }
        assertThat(accepted).as("random programs accepted").isGreaterThan(100);
    }

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L);
    }
}
