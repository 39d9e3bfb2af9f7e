package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AssemblerTest {

    @Test
    void resolvesForwardAndBackwardLabels() {
        AssembledProgram program = new Assembler()
                .emit(mov64(R0, 0)) // 0
                .label("loop")
                .emit(add64(R0, 1)) // 1
                .ldImm64(R1, 0x1_0000_0000L) // 2-3: two slots inside the loop
                .jeqImm(R0, 10, "done") // 4 -> 6: offset +1
                .ja("loop") // 5 -> 1: offset -5
                .label("done")
                .emit(exit()) // 6
                .assemble();

        assertThat(program.instructions())
                .containsExactly(
                        mov64(R0, 0), add64(R0, 1), ldImm64(R1, 0x1_0000_0000L), jeqImm(R0, 10, 1), ja(-5), exit());
        assertThat(program.slotCount()).isEqualTo(7);
        assertThat(program.labels()).containsOnly(Map.entry("loop", 1), Map.entry("done", 6));
    }

    @Test
    void resolvesSubprogramCallsAndLongJumps() {
        AssembledProgram program = new Assembler()
                .callSubprogram("helper") // 0 -> 3: imm +2
                .gotol("end") // 1 -> 4: imm +2
                .emit(exit()) // 2
                .label("helper")
                .emit(mov64(R0, 1)) // 3
                .label("end")
                .emit(exit()) // 4
                .assemble();
        assertThat(program.instructions().subList(0, 2)).containsExactly(callSubprogram(2), gotol(2));
    }

    /** Random programs with random labels and jumps: every jump lands on its label's slot. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void everyJumpLandsOnItsLabel(long seed) {
        Random random = new Random(seed);
        RandomInstructions instructions = new RandomInstructions(seed);
        int labelCount = 1 + random.nextInt(20);
        Assembler assembler = new Assembler();
        List<Integer> jumpSlots = new ArrayList<>();
        Map<Integer, String> targets = new HashMap<>();
        List<String> unplaced = new ArrayList<>();
        for (int i = 0; i < labelCount; i++) {
            unplaced.add("l" + i);
        }
        int[] straightLine = {0x07, 0x0f, 0x18, 0x61, 0x7b, 0xb7, 0xbf, 0xdb, 0xd4};
        while (!unplaced.isEmpty() || random.nextInt(10) != 0) {
            switch (random.nextInt(4)) {
                case 0 -> {
                    if (!unplaced.isEmpty()) {
                        assembler.label(unplaced.remove(random.nextInt(unplaced.size())));
                    }
                }
                case 1 -> {
                    String target = "l" + random.nextInt(labelCount);
                    jumpSlots.add(assembler.slot());
                    targets.put(assembler.slot(), target);
                    switch (random.nextInt(4)) {
                        case 0 -> assembler.ja(target);
                        case 1 -> assembler.gotol(target);
                        case 2 ->
                            assembler.jump(JumpOp.JSGT, Register.of(random.nextInt(11)), random.nextInt(), target);
                        default -> assembler.jump32(JumpOp.JSET, R1, Register.of(random.nextInt(11)), target);
                    }
                }
                default -> assembler.emit(instructions.from(straightLine));
            }
        }
        assembler.emit(exit());
        AssembledProgram program = assembler.assemble();

        Map<Integer, Integer> indexBySlot = InstructionCodec.indexBySlot(program.instructions());
        for (int slot : jumpSlots) {
            Instruction jump = program.instructions().get(indexBySlot.get(slot));
            assertThat(slot + 1 + jump.jumpOffset())
                    .as("jump at slot %d", slot)
                    .isEqualTo(program.labels().get(targets.get(slot)));
        }
        // The assembled program survives the binary format.
        assertThat(InstructionCodec.decode(program.encode())).isEqualTo(program.instructions());
    }

    @Test
    void outOfRangeJumpNamesBothLabelsAndTheDistance() {
        Assembler assembler = new Assembler().label("rules").emit(mov64(R0, 0));
        assembler.label("rule_1").emit(mov64(R1, 0)).jeqImm(R1, 0, "pass");
        for (int i = 0; i < 40_000; i++) {
            assembler.emit(mov64(R2, i));
        }
        assembler.label("pass").emit(exit());

        assertThatThrownBy(assembler::assemble)
                .isInstanceOf(AssemblyException.class)
                .hasMessage("jump from label 'rule_1' + 1 (slot 2) to label 'pass' (slot 40003) spans 40000 slots,"
                        + " outside the 16-bit offset range -32768..32767");
    }

    @Test
    void backwardOutOfRangeJumpSuggestsGotol() {
        Assembler assembler = new Assembler().label("top");
        for (int i = 0; i < 32_768; i++) {
            assembler.emit(mov64(R2, i));
        }
        assembler.ja("top");
        assertThatThrownBy(assembler::assemble)
                .hasMessage("jump from label 'top' + 32768 (slot 32768) to label 'top' (slot 0) spans -32769 slots,"
                        + " outside the 16-bit offset range -32768..32767; use gotol");
    }

    @Test
    void exactlyTheLargest16BitDistancesAssemble() {
        Assembler assembler = new Assembler().label("top").ja("bottom");
        for (int i = 0; i < 32_767; i++) {
            assembler.emit(mov64(R2, i));
        }
        assembler.label("bottom").ja("top"); // at slot 32768: back to slot 0 is -32769
        assertThatThrownBy(assembler::assemble).hasMessageContaining("spans -32769 slots");

        Assembler fits = new Assembler().label("top").ja("bottom");
        for (int i = 0; i < 32_766; i++) {
            fits.emit(mov64(R2, i));
        }
        fits.label("bottom").ja("top");
        AssembledProgram program = fits.assemble();
        assertThat(program.instructions().get(0).offset()).isEqualTo(32_766);
        assertThat(program.instructions().getLast().offset()).isEqualTo(-32_768);
    }

    @Test
    void gotolReachesBeyondThe16BitRange() {
        Assembler assembler = new Assembler().gotol("far");
        for (int i = 0; i < 40_000; i++) {
            assembler.emit(mov64(R2, i));
        }
        AssembledProgram program = assembler.label("far").emit(exit()).assemble();
        assertThat(program.instructions().getFirst()).isEqualTo(gotol(40_000));
    }

    @Test
    void duplicateLabelIsAnErrorNamingIt() {
        Assembler assembler = new Assembler().label("drop").emit(mov64(R0, 1));
        assertThatThrownBy(() -> assembler.label("drop"))
                .isInstanceOf(AssemblyException.class)
                .hasMessage("label 'drop' is defined twice: at slot 0 and at slot 1");
    }

    @Test
    void undefinedLabelIsAnErrorNamingIt() {
        Assembler assembler =
                new Assembler().emit(mov64(R0, 1)).jneImm(R0, 0, "nowhere").emit(exit());
        assertThatThrownBy(assembler::assemble)
                .isInstanceOf(AssemblyException.class)
                .hasMessage("label 'nowhere' is undefined (jump at slot 1)");
    }

    @Test
    void labelAtTheEndIsNoJumpTarget() {
        Assembler assembler = new Assembler().ja("end").label("end");
        assertThatThrownBy(assembler::assemble).hasMessageContaining("label 'end' marks the end of the program");
    }

    @Test
    void recordsAndResolvesRelocations() {
        AssembledProgram program = new Assembler()
                .ldImm64(R1, "rule_7_enabled") // slot 0
                .jeqImm(R1, 0, "pass") // 2
                .ldMap(R1, "counters") // 3
                .ldMapFd(R2, 9) // 5
                .ldImm64(R3, "rule_7_enabled") // 7: a symbol used twice
                .label("pass")
                .emit(mov64(R0, 2), exit()) // 9, 10
                .assemble();

        assertThat(program.relocations())
                .containsExactly(
                        new Relocation(0, "rule_7_enabled", Relocation.Kind.CONSTANT),
                        new Relocation(3, "counters", Relocation.Kind.MAP),
                        new Relocation(7, "rule_7_enabled", Relocation.Kind.CONSTANT));
        assertThat(program.unresolvedSymbols()).containsExactly("rule_7_enabled", "counters");
        assertThatThrownBy(program::encode)
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("constant 'rule_7_enabled' at slot 0")
                .hasMessageContaining("map 'counters' at slot 3");

        AssembledProgram partly = program.resolve(Map.of("rule_7_enabled", 1L), Map.of());
        assertThat(partly.relocations()).containsExactly(new Relocation(3, "counters", Relocation.Kind.MAP));

        AssembledProgram resolved = partly.resolve(Map.of(), Map.of("counters", 42));
        assertThat(resolved.isResolved()).isTrue();
        assertThat(resolved.encode())
                .isEqualTo(InstructionCodec.encode(List.of(
                        ldImm64(R1, 1),
                        jeqImm(R1, 0, 6),
                        ldMapFd(R1, 42),
                        ldMapFd(R2, 9),
                        ldImm64(R3, 1),
                        mov64(R0, 2),
                        exit())));
        // Resolving returns a new program; the original still waits for its values.
        assertThat(program.isResolved()).isFalse();
    }

    @Test
    void guardsKeepTheirJumpWhenTheConstantIsZeroAndBecomeANoOpOtherwise() {
        AssembledProgram program = new Assembler()
                .emit(mov64(R9, 64)) // slot 0
                .enableGuard(R9, "rule_1_enabled", "rule2") // 1
                .emit(mov64(R0, 1), exit()) // 2, 3
                .label("rule2")
                .enableGuard(R9, "rule_2_enabled", "end") // 4
                .ldImm64(R0, "rule_2_enabled") // 5: a constant may also be loaded
                .label("end")
                .emit(exit()) // 7
                .assemble();

        assertThat(program.relocations())
                .containsExactly(
                        new Relocation(1, "rule_1_enabled", Relocation.Kind.GUARD),
                        new Relocation(4, "rule_2_enabled", Relocation.Kind.GUARD),
                        new Relocation(5, "rule_2_enabled", Relocation.Kind.CONSTANT));
        assertThat(program.instructions().get(1)).isEqualTo(jump(JumpOp.JGE, R9, 0, 2));
        assertThat(program.unresolvedSymbols()).containsExactly("rule_1_enabled", "rule_2_enabled");
        assertThatThrownBy(program::encode).hasMessageContaining("guard 'rule_1_enabled' at slot 1");

        AssembledProgram resolved = program.resolve(Map.of("rule_1_enabled", 0L, "rule_2_enabled", 7L), Map.of());
        assertThat(resolved.isResolved()).isTrue();
        assertThat(resolved.instructions())
                .containsExactly(
                        mov64(R9, 64), jump(JumpOp.JGE, R9, 0, 2), mov64(R0, 1), exit(), ja(0), ldImm64(R0, 7), exit());
        assertThat(new Disassembler().disassemble(program))
                .contains("1: (35) if r9 >= 0x0 goto pc+2 <rule2> ; guard[rule_1_enabled]");
    }

    /**
     * When nothing else reaches the code an enabled guard skips to, a {@code goto +0} would leave
     * it unreachable, which the verifier refuses: the guard becomes the never-taken
     * {@code if r9 < 0 goto}, and so does a guard that only such code reaches.
     */
    @Test
    void anEnabledGuardKeepsTheCodeItSkipsToReachable() {
        AssembledProgram program = new Assembler()
                .emit(mov64(R9, 64)) // 0
                .enableGuard(R9, "rule_1_enabled", "second") // 1
                .emit(mov64(R0, 1), exit()) // 2, 3: rule 1 always returns
                .label("second")
                .enableGuard(R9, "rule_2_enabled", "third") // 4: reached only when rule 1 is disabled
                .emit(mov64(R0, 2), exit()) // 5, 6
                .label("third")
                .emit(mov64(R0, 3), exit()) // 7, 8
                .assemble();
        AssembledProgram both = program.resolve(Map.of("rule_1_enabled", 1L, "rule_2_enabled", 1L), Map.of());
        assertThat(both.instructions().get(1)).isEqualTo(jump(JumpOp.JLT, R9, 0, 2));
        assertThat(both.instructions().get(4)).isEqualTo(jump(JumpOp.JLT, R9, 0, 2));
        AssembledProgram second = program.resolve(Map.of("rule_1_enabled", 0L, "rule_2_enabled", 1L), Map.of());
        assertThat(second.instructions().get(1)).isEqualTo(jump(JumpOp.JGE, R9, 0, 2));
        assertThat(second.instructions().get(4)).isEqualTo(jump(JumpOp.JLT, R9, 0, 2));
        assertThat(ControlFlow.reachable(both.instructions()).cardinality())
                .isEqualTo(both.instructions().size());
    }

    @Test
    void aGuardMustJumpForward() {
        Assembler assembler = new Assembler()
                .label("back")
                .emit(mov64(R0, 0))
                .enableGuard(R0, "rule_1_enabled", "back")
                .emit(exit());
        assertThatThrownBy(assembler::assemble)
                .isInstanceOf(AssemblyException.class)
                .hasMessageStartingWith(
                        "guard 'rule_1_enabled' at slot 1: no guard jump (if rX >= 0 goto +off, off >= 0) starts at that slot");
        assertThatThrownBy(() -> new AssembledProgram(
                        List.of(mov64(R0, 0), exit()),
                        List.of(new Relocation(0, "rule_1_enabled", Relocation.Kind.GUARD)),
                        Map.of()))
                .hasMessageContaining("it holds");
    }

    @Test
    void resolvingAnUnknownOrMiskindedSymbolIsAnError() {
        AssembledProgram program = new Assembler()
                .ldMap(R1, "counters")
                .ldImm64(R2, "limit")
                .emit(exit())
                .assemble();
        assertThatThrownBy(() -> program.resolve(Map.of("countres", 1L), Map.of()))
                .isInstanceOf(AssemblyException.class)
                .hasMessage("no relocation refers to constant 'countres'");
        assertThatThrownBy(() -> program.resolve(Map.of("counters", 3L), Map.of("limit", 4)))
                .hasMessage("no relocation refers to constant 'counters', map 'limit'");
    }

    @Test
    void includesFragmentsWithTheirLabelsAndRelocations() {
        AssembledProgram rule = new Assembler()
                .ldImm64(R1, "rule_3_enabled")
                .jeqImm(R1, 0, "skip")
                .ldMap(R2, "counters")
                .label("skip")
                .emit(mov64(R0, 2))
                .assemble();
        AssembledProgram program = new Assembler()
                .emit(mov64(R6, R1))
                .include(rule, "rule_3.")
                .include(rule, "rule_4.")
                .emit(exit())
                .assemble();

        assertThat(program.slotCount()).isEqualTo(1 + 2 * rule.slotCount() + 1);
        assertThat(program.labels()).containsOnly(Map.entry("rule_3.skip", 6), Map.entry("rule_4.skip", 12));
        assertThat(program.relocations()).extracting(Relocation::slot).containsExactly(1, 4, 7, 10);
        // The included jumps still land on their fragment's label.
        assertThat(program.instructions().get(2)).isEqualTo(jeqImm(R1, 0, 2));
        assertThatThrownBy(() -> new Assembler().label("rule_3.skip").include(rule, "rule_3."))
                .hasMessageContaining("label 'rule_3.skip' is defined twice");
    }

    @Test
    void freshLabelsAreDistinct() {
        Assembler assembler = new Assembler();
        String a = assembler.freshLabel("match");
        String b = assembler.freshLabel("match");
        assertThat(a).isNotEqualTo(b).startsWith("match#");
        AssembledProgram program = assembler
                .ja(b)
                .label(a)
                .emit(mov64(R0, 1))
                .label(b)
                .emit(exit())
                .assemble();
        assertThat(program.instructions().getFirst()).isEqualTo(ja(1));
    }

    @Test
    void rejectsBlankNames() {
        assertThatThrownBy(() -> new Assembler().label(" ")).hasMessage("label name must not be blank");
        assertThatThrownBy(() -> new Assembler().ldMap(R1, "")).hasMessage("map name must not be blank");
    }
}
