package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;

class FilterAssemblerTest {

    static Stream<Long> seeds() {
        return LongStream.range(0, 30).boxed();
    }

    /**
     * A chain of byte checks, each failing to an exit placed after padding of random length (up
     * to far beyond 255 instructions): every jump reaches its label, trampolines or not, and the
     * program returns which check failed.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void farJumpsReachTheirLabels(long seed) {
        Random random = new Random(seed);
        int checks = 1 + random.nextInt(6);
        FilterAssembler asm = new FilterAssembler();
        Label[] exits = new Label[checks];
        for (int i = 0; i < checks; i++) {
            exits[i] = asm.newLabel("exit" + i);
            asm.emit(ldAbsB(i));
            asm.jump(JEQ, i + 1, null, exits[i]);
        }
        asm.emit(retK(1000));
        for (int i = 0; i < checks; i++) {
            int padding = random.nextInt(random.nextBoolean() ? 400 : 40);
            for (int p = 0; p < padding; p++) {
                asm.emit(ldImm(p));
            }
            asm.bind(exits[i]);
            asm.emit(retK(i + 1));
        }
        CbpfProgram program = asm.assemble();
        CbpfValidator.validate(program);
        for (CbpfInstruction insn : program.instructions()) {
            assertThat(insn.jt()).isLessThanOrEqualTo(255);
        }
        byte[] packet = new byte[checks];
        for (int i = 0; i < checks; i++) {
            packet[i] = (byte) (i + 1);
        }
        assertThat(CbpfInterpreter.run(program, packet)).isEqualTo(1000);
        int wrong = random.nextInt(checks);
        packet[wrong] = 0;
        assertThat(CbpfInterpreter.run(program, packet)).isEqualTo(wrong + 1);
    }

    @Test
    void unboundAndBackwardLabelsAreGeneratorBugs() {
        FilterAssembler unbound = new FilterAssembler();
        unbound.jumpAlways(unbound.newLabel("nowhere"));
        assertThatThrownBy(unbound::assemble)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never bound");
        FilterAssembler backward = new FilterAssembler();
        Label top = backward.newLabel("top");
        backward.bind(top);
        backward.emit(ldImm(0));
        backward.jump(JEQ, 0, top, null);
        backward.emit(retK(0));
        assertThatThrownBy(backward::assemble)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("backwards");
        assertThatThrownBy(() -> new FilterAssembler().emit(ja(0))).isInstanceOf(IllegalArgumentException.class);
    }
}
