package org.levee.cbpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The factories produce the opcodes of Linux's linux/filter.h, written out as numbers. */
class CbpfInstructionTest {

    static Stream<Arguments> opcodes() {
        return Stream.of(
                Arguments.of(ldAbsW(1), 0x20),
                Arguments.of(ldAbsH(1), 0x28),
                Arguments.of(ldAbsB(1), 0x30),
                Arguments.of(ldIndW(1), 0x40),
                Arguments.of(ldIndH(1), 0x48),
                Arguments.of(ldIndB(1), 0x50),
                Arguments.of(ldImm(1), 0x00),
                Arguments.of(ldLen(), 0x80),
                Arguments.of(ldMem(1), 0x60),
                Arguments.of(ldxImm(1), 0x01),
                Arguments.of(ldxLen(), 0x81),
                Arguments.of(ldxMem(1), 0x61),
                Arguments.of(ldxMsh(14), 0xb1),
                Arguments.of(st(1), 0x02),
                Arguments.of(stx(1), 0x03),
                Arguments.of(addK(1), 0x04),
                Arguments.of(aluX(ADD), 0x0c),
                Arguments.of(subK(1), 0x14),
                Arguments.of(mulK(1), 0x24),
                Arguments.of(divK(1), 0x34),
                Arguments.of(orK(1), 0x44),
                Arguments.of(andK(1), 0x54),
                Arguments.of(lshK(1), 0x64),
                Arguments.of(rshK(1), 0x74),
                Arguments.of(neg(), 0x84),
                Arguments.of(modK(1), 0x94),
                Arguments.of(xorK(1), 0xa4),
                Arguments.of(aluX(XOR), 0xac),
                Arguments.of(aluX(MOD), 0x9c),
                Arguments.of(ja(1), 0x05),
                Arguments.of(jeqK(1, 0, 0), 0x15),
                Arguments.of(jgtK(1, 0, 0), 0x25),
                Arguments.of(jgeK(1, 0, 0), 0x35),
                Arguments.of(jsetK(1, 0, 0), 0x45),
                Arguments.of(jeqX(0, 0), 0x1d),
                Arguments.of(jgtX(0, 0), 0x2d),
                Arguments.of(jgeX(0, 0), 0x3d),
                Arguments.of(jsetX(0, 0), 0x4d),
                Arguments.of(retK(1), 0x06),
                Arguments.of(retA(), 0x16),
                Arguments.of(tax(), 0x07),
                Arguments.of(txa(), 0x87));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("opcodes")
    void factoriesProduceLinuxOpcodes(CbpfInstruction instruction, int code) {
        assertThat(instruction.code()).isEqualTo(code);
    }

    @Test
    void decodesTheOpcodeFields() {
        CbpfInstruction jump = jgtX(3, 4);
        assertThat(jump.opClass()).isEqualTo(JMP);
        assertThat(jump.op()).isEqualTo(JGT);
        assertThat(jump.src()).isEqualTo(X);
        assertThat(jump.isConditionalJump()).isTrue();
        assertThat(ja(3).isConditionalJump()).isFalse();
        assertThat(ja(3).isJump()).isTrue();
        CbpfInstruction load = ldIndH(-2);
        assertThat(load.opClass()).isEqualTo(LD);
        assertThat(load.opSize()).isEqualTo(H);
        assertThat(load.opMode()).isEqualTo(IND);
        assertThat(load.unsignedK()).isEqualTo(0xfffffffeL);
        assertThat(retA().rval()).isEqualTo(A);
        assertThat(retA().isReturn()).isTrue();
        assertThat(txa().miscOp()).isEqualTo(TXA);
        assertThat(retK(-1)).hasToString("6 0 0 4294967295");
    }

    @Test
    void rejectsFieldsOutOfRange() {
        assertThatThrownBy(() -> new CbpfInstruction(0x10000, 0, 0, 0))
                .hasMessageContaining("code must be 0..65535 (16 bits), got 65536");
        assertThatThrownBy(() -> new CbpfInstruction(-1, 0, 0, 0)).hasMessageContaining("code");
        assertThatThrownBy(() -> jeqK(0, 256, 0)).hasMessageContaining("jt must be 0..255 (8 bits), got 256");
        assertThatThrownBy(() -> jeqK(0, 0, -1)).hasMessageContaining("jf must be 0..255 (8 bits), got -1");
    }

    @Test
    void programsAreImmutableValues() {
        List<CbpfInstruction> instructions = new java.util.ArrayList<>(List.of(ldLen(), retA()));
        CbpfProgram program = new CbpfProgram(instructions);
        instructions.add(retK(0));
        assertThat(program.size()).isEqualTo(2);
        assertThat(program)
                .isEqualTo(CbpfProgram.of(ldLen(), retA()))
                .hasSameHashCodeAs(CbpfProgram.of(ldLen(), retA()));
        assertThat(program).isNotEqualTo(CbpfProgram.of(ldLen(), retK(0)));
        assertThat(program.get(1)).isEqualTo(retA());
        assertThatThrownBy(() -> program.instructions().add(retA())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> CbpfProgram.of(ldLen(), null)).hasMessageContaining("instruction 1 is null");
        assertThat(program).hasToString("2\n128 0 0 0\n22 0 0 0");
    }
}
