package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfProgram;
import org.levee.ebpf.Program;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Register;
import org.levee.testing.Requirements;

/** The emitter's contract with its caller: labels, fall-through, reachable exits, layout checks. */
@Tag("kernel")
class EbpfEmitterTest {

    private static EbpfEmitter.Emitted emit(CbpfProgram program, Assembler asm, String following) {
        FragmentLayout layout = FragmentLayout.standard("t_", "yes", "no").withLabels("t_", "yes", "no", following);
        return EbpfEmitter.emit(CbpfCompiler.compile(program), layout, asm);
    }

    @Test
    void aFilterThatAlwaysMatchesIsOneJumpOrNothing() {
        CbpfProgram always = CbpfProgram.of(retK(1));
        EbpfEmitter.Emitted jumping = emit(always, new Assembler(), "no");
        assertThat(jumping).isEqualTo(new EbpfEmitter.Emitted(1, true, false, Set.of("yes")));
        EbpfEmitter.Emitted fallingThrough = emit(always, new Assembler(), "yes");
        assertThat(fallingThrough).isEqualTo(new EbpfEmitter.Emitted(0, true, false, Set.of("yes")));
    }

    @Test
    void aFilterThatNeverMatchesNeverReachesTheMatchLabel() {
        // the load can fail, but no path returns non-zero: the whole filter is "no match"
        EbpfEmitter.Emitted e =
                emit(CbpfProgram.of(ldAbsB(20), jeqK(1, 0, 1), retK(0), retK(0)), new Assembler(), "no");
        assertThat(e).isEqualTo(new EbpfEmitter.Emitted(0, false, true, Set.of("no")));
    }

    @Test
    void returnsJumpStraightToTheLabels() {
        Assembler asm = new Assembler();
        EbpfEmitter.Emitted e = emit(CbpfProgram.of(ldAbsH(12), jeqK(0x800, 0, 1), retK(1), retK(0)), asm, "no");
        // guard (3), load, one compare that jumps to "yes" and falls through to "no"
        assertThat(e).isEqualTo(new EbpfEmitter.Emitted(5, true, true, Set.of("yes", "no")));
        asm.label("no").emit(Instruction.exit()).label("yes").emit(Instruction.exit());
        assertThat(asm.assemble().instructions()).hasSize(7);
    }

    @Test
    void twoCopiesOfOneFragmentLoadInOneProgram() {
        Requirements.root();
        Compilation c = CbpfCompiler.compile(CbpfProgram.of(ldxMsh(14), ldIndH(16), jeqK(80, 0, 1), retK(1), retK(0)));
        Assembler asm = new Assembler();
        FragmentLayout layout = FragmentLayout.standard("", "", "");
        asm.emit(Instruction.ldx(org.levee.ebpf.asm.Size.W, layout.packetStart(), Register.R1, 0));
        asm.emit(Instruction.ldx(org.levee.ebpf.asm.Size.W, layout.packetEnd(), Register.R1, 4));
        for (String copy : List.of("a", "b")) {
            EbpfEmitter.emit(c, layout.withLabels(copy + "_", copy + "_match", copy + "_no", copy + "_no"), asm);
            asm.label(copy + "_no");
            asm.label(copy + "_match");
        }
        asm.emit(Instruction.mov32(Register.R0, XdpFilterProgram.XDP_PASS), Instruction.exit());
        try (Program loaded = Program.load(
                org.levee.ebpf.ProgramSpec.xdp("levee_twice", asm.assemble().encode()))) {
            assertThat(loaded.info().xlatedLength()).isPositive();
        }
    }

    @Test
    void theLayoutRefusesSharedRegistersAndABadScratchArea() {
        assertThatThrownBy(() -> new FragmentLayout(
                        Register.R2,
                        Register.R3,
                        Register.R2,
                        Register.R5,
                        Register.R6,
                        Register.R7,
                        -128,
                        "p",
                        "m",
                        "n",
                        null))
                .hasMessageContaining("r2 is given two roles");
        assertThatThrownBy(() -> new FragmentLayout(
                        Register.R2,
                        Register.R3,
                        Register.R4,
                        Register.R5,
                        Register.R6,
                        Register.R10,
                        -128,
                        "p",
                        "m",
                        "n",
                        null))
                .hasMessageContaining("r10");
        assertThatThrownBy(() -> new FragmentLayout(
                        Register.R2,
                        Register.R3,
                        Register.R4,
                        Register.R5,
                        Register.R6,
                        Register.R7,
                        -64,
                        "p",
                        "m",
                        "n",
                        null))
                .hasMessageContaining("scratchOffset -64");
    }
}
