package org.levee.ebpf.elf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.ebpf.asm.KernelClient;
import org.levee.ebpf.testing.Requirements;

/**
 * The path a rule set takes: assembled, written as an object, read back, its map and constant
 * resolved, loaded. Flipping the patchable constant changes the verdict, and the verifier removes
 * the code of the disabled rule.
 */
class ElfKernelTest {

    @Test
    void objectReadBackLoadsAndTheConstantSwitchesTheRule() {
        Requirements.root();
        BpfObject object = ElfReader.read(ElfWriter.write(ElfObjectTest.sample()));
        AssembledProgram rules = object.program("xdp").program();
        MapDefinition counters = object.maps().getFirst();
        int map = KernelClient.createArrayMap(counters.valueSize(), counters.maxEntries());
        try {
            Result enabled = load(rules.resolve(Map.of("rule_7_enabled", 1L), Map.of("counters", map)));
            Result disabled = load(rules.resolve(Map.of("rule_7_enabled", 0L), Map.of("counters", map)));

            assertThat(enabled.verdict).as("enabled rule matches: drop (1)").isEqualTo(1);
            assertThat(disabled.verdict).as("disabled rule: pass (2)").isEqualTo(2);
            assertThat(disabled.xlatedSlots).as("the verifier removed the disabled rule's code")
                    .isLessThan(enabled.xlatedSlots);
        } finally {
            KernelClient.close(map);
        }
    }

    private record Result(int verdict, int xlatedSlots) {}

    private static Result load(AssembledProgram program) {
        List<Instruction> instructions = InstructionCodec.decode(program.encode());
        int fd = KernelClient.loadSocketFilter(instructions);
        try {
            return new Result(KernelClient.testRun(fd), KernelClient.xlated(fd).instructions().length / InstructionCodec.SLOT_BYTES);
        } finally {
            KernelClient.close(fd);
        }
    }
}
