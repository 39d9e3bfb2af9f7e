package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestPrograms;
import org.levee.ebpf.TestRun;
import org.levee.testing.Requirements;

/**
 * Guards against the verifier: a disabled guard deletes itself and the code it guards, an
 * enabled one deletes only itself, so the kernel's translated program is exactly what it would
 * be without the disabled blocks and without any guard.
 *
 * <p>Each random program computes the packet length into r9 (a number the verifier cannot know),
 * then runs blocks of random arithmetic ending in "if r9 > threshold goto drop", each behind its
 * own guard, then passes. No instruction of a block is one the verifier rewrites or can decide,
 * so enabled blocks cost exactly their own length plus the shared drop block they jump to.
 */
@Tag("kernel")
class GuardKernelTest {

    @BeforeAll
    static void needsBpf() {
        Requirements.root();
    }

    /** "r0 = XDP_DROP; exit", shared by the blocks: live as soon as one block is. */
    private static final int DROP_BLOCK = 2;

    private record Block(String symbol, int slots, int threshold) {}

    private record Guarded(AssembledProgram program, List<Block> blocks) {}

    /** The program with {@code blocks} guarded blocks, or with none when {@code withBlocks} is false. */
    private static Guarded program(Random random, int blocks, boolean withBlocks) {
        Assembler asm = new Assembler()
                .emit(ldxW(R2, R1, 0), ldxW(R3, R1, 4), mov64(R9, R3), sub64(R9, R2), mov64(R0, TestPrograms.XDP_PASS));
        List<Block> made = new ArrayList<>();
        for (int b = 0; b < blocks && withBlocks; b++) {
            String symbol = "rule_" + b + "_enabled";
            String skip = "after" + b;
            asm.enableGuard(R9, symbol, skip);
            int start = asm.slot();
            asm.emit(mov64(R3, random.nextInt(1000)));
            for (int i = random.nextInt(6); i > 0; i--) {
                asm.emit(
                        switch (random.nextInt(3)) {
                            case 0 -> add64(R3, random.nextInt(1000));
                            case 1 -> alu64(AluOp.XOR, R3, random.nextInt(1000));
                            default -> add64(R3, R9);
                        });
            }
            int threshold = random.nextInt(128);
            asm.jgtImm(R9, threshold, "drop");
            made.add(new Block(symbol, asm.slot() - start, threshold));
            asm.label(skip);
        }
        asm.emit(exit());
        if (!made.isEmpty()) {
            // only blocks jump here: without them the verifier would refuse it as unreachable
            asm.label("drop").emit(mov64(R0, TestPrograms.XDP_DROP), exit());
        }
        return new Guarded(asm.assemble(), made);
    }

    private record Loaded(int xlatedSlots, int verdict) {}

    private static Loaded load(AssembledProgram program, Map<String, Long> constants) {
        try (Program loaded = Program.load(
                ProgramSpec.xdp("guards", program.resolve(constants, Map.of()).encode()))) {
            return new Loaded(
                    loaded.info().xlatedLength() / InstructionCodec.SLOT_BYTES,
                    loaded.testRun(TestRun.of(TestPrograms.udpFrame())).returnValue());
        }
    }

    private static Map<String, Long> enabling(List<Block> blocks, List<Block> enabled) {
        Map<String, Long> constants = new HashMap<>();
        blocks.forEach(b -> constants.put(b.symbol, enabled.contains(b) ? 1L : 0L));
        return constants;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void disabledBlocksAndAllGuardsVanishFromTheTranslatedProgram(long seed) {
        Random random = new Random(seed);
        int count = 1 + random.nextInt(12);
        Guarded guarded = program(new Random(seed), count, true);
        Loaded none = load(program(new Random(seed), count, false).program(), Map.of());
        List<Block> blocks = guarded.blocks();
        int frame = TestPrograms.udpFrame().length;

        Loaded disabled = load(guarded.program(), enabling(blocks, List.of()));
        assertThat(disabled.xlatedSlots).as("all %d blocks disabled", count).isEqualTo(none.xlatedSlots);
        assertThat(disabled.verdict).isEqualTo(TestPrograms.XDP_PASS);

        Block one = blocks.get(random.nextInt(count));
        Loaded single = load(guarded.program(), enabling(blocks, List.of(one)));
        assertThat(single.xlatedSlots).as("only %s enabled", one).isEqualTo(none.xlatedSlots + one.slots + DROP_BLOCK);
        assertThat(single.verdict)
                .as("%s with a %d-byte frame", one, frame)
                .isEqualTo(frame > one.threshold ? TestPrograms.XDP_DROP : TestPrograms.XDP_PASS);

        Loaded all = load(guarded.program(), enabling(blocks, blocks));
        assertThat(all.xlatedSlots)
                .as("all enabled")
                .isEqualTo(none.xlatedSlots
                        + blocks.stream().mapToInt(Block::slots).sum()
                        + DROP_BLOCK);
    }

    /**
     * Blocks that always end the program, each skipped to only by the guard before it: enabled,
     * a guard becomes the never-taken {@code if r9 < 0 goto} (a {@code goto +0} would leave the
     * next block unreachable, which the verifier refuses), and the verifier deletes it and every
     * block after the first enabled one all the same.
     */
    @Test
    void guardsOverBlocksThatEndTheProgramVanishToo() {
        Assembler asm = new Assembler().emit(ldxW(R2, R1, 0), ldxW(R3, R1, 4), mov64(R9, R3), sub64(R9, R2));
        int blocks = 5;
        for (int b = 0; b < blocks; b++) {
            asm.enableGuard(R9, "rule_" + b + "_enabled", "after" + b);
            asm.emit(mov64(R0, 10 + b), exit());
            asm.label("after" + b);
        }
        asm.emit(mov64(R0, TestPrograms.XDP_PASS), exit());
        AssembledProgram program = asm.assemble();
        for (int first = 0; first <= blocks; first++) {
            Map<String, Long> constants = new HashMap<>();
            for (int b = 0; b < blocks; b++) {
                constants.put("rule_" + b + "_enabled", b >= first && (b - first) % 2 == 0 ? 1L : 0L);
            }
            Loaded loaded = load(program, constants);
            assertThat(loaded.verdict)
                    .as("first enabled block %d", first)
                    .isEqualTo(first < blocks ? 10 + first : TestPrograms.XDP_PASS);
            assertThat(loaded.xlatedSlots)
                    .as("the four loads and the first enabled block (or the end)")
                    .isEqualTo(4 + 2);
        }
    }
}
