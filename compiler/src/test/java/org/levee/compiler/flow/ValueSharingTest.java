package org.levee.compiler.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.levee.cbpf.CbpfInstruction.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.CbpfCompiler;

/**
 * Values share subexpressions; hashing or comparing them as trees is exponential in the depth of
 * a chain whose every step uses the previous value twice (the DNS generator's unrolled name walk
 * is such a chain, 128 steps deep). These programs must compile in well under a second; the
 * timeout only turns "never finishes" into a failure.
 */
class ValueSharingTest {

    @Test
    void aValueUsedTwicePerStepCompilesLinearly() {
        List<CbpfInstruction> program = new ArrayList<>();
        program.add(ldxMsh(14));
        for (int step = 0; step < 128; step++) {
            // X = X + X, and the joins keep the chain alive on both paths
            program.add(txa());
            program.add(aluX(ADD));
            program.add(tax());
            program.add(ldIndB(14));
            program.add(jeqK(step, 0, 0 == step % 2 ? 1 : 0));
            program.add(CbpfInstruction.addK(0));
        }
        program.add(retK(1));
        CbpfProgram cbpf = CbpfProgram.of(program.toArray(CbpfInstruction[]::new));

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> CbpfCompiler.compile(cbpf));
    }

    @Test
    void equalDagsBuiltSeparatelyAreEqualWithEqualHashes() {
        Value left = new Value.Load(1, 14);
        Value right = new Value.Load(1, 14);
        for (int i = 0; i < 200; i++) {
            left = new Value.Alu(ADD, left, left);
            right = new Value.Alu(ADD, right, right);
        }
        assertThat(left).isEqualTo(right).hasSameHashCodeAs(right);
        assertThat(new Value.Alu(SUB, left, left)).isNotEqualTo(new Value.Alu(ADD, right, right));
        assertThat(new Value.IndirectLoad(2, 3, left))
                .isEqualTo(new Value.IndirectLoad(2, 3, right))
                .isNotEqualTo(new Value.IndirectLoad(2, 4, right));
    }
}
