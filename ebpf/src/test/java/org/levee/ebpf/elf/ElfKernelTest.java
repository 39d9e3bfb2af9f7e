package org.levee.ebpf.elf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.MapType;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestPrograms;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.testing.Requirements;

/**
 * The path a rule set takes: assembled, written as an object, read back, its map and constant
 * resolved, loaded. Flipping the patchable constant changes the verdict, and the verifier removes
 * the code of the disabled rule.
 */
@Tag("kernel")
class ElfKernelTest {

    @Test
    void objectReadBackLoadsAndTheConstantSwitchesTheRule() {
        Requirements.root();
        BpfObject object = ElfReader.read(ElfWriter.write(ElfObjectTest.sample()));
        AssembledProgram rules = object.program("xdp").program();
        MapDefinition counters = object.maps().getFirst();
        try (BpfMap map = BpfMap.create(MapSpec.of(
                MapType.of(counters.type()),
                counters.name(),
                counters.keySize(),
                counters.valueSize(),
                counters.maxEntries()))) {
            Result enabled = load(rules.resolve(Map.of("rule_7_enabled", 1L), Map.of("counters", map.fd())));
            Result disabled = load(rules.resolve(Map.of("rule_7_enabled", 0L), Map.of("counters", map.fd())));

            assertThat(enabled.verdict).as("enabled rule matches: drop (1)").isEqualTo(TestPrograms.XDP_DROP);
            assertThat(disabled.verdict).as("disabled rule: pass (2)").isEqualTo(TestPrograms.XDP_PASS);
            assertThat(disabled.xlatedSlots)
                    .as("the verifier removed the disabled rule's code")
                    .isLessThan(enabled.xlatedSlots);
        }
    }

    private record Result(int verdict, int xlatedSlots) {}

    private static Result load(AssembledProgram program) {
        try (Program loaded = Program.load(ProgramSpec.xdp("levee_rules", program.encode()))) {
            return new Result(
                    loaded.testRun(TestRun.of(TestPrograms.udpFrame())).returnValue(),
                    loaded.info().xlated().length / InstructionCodec.SLOT_BYTES);
        }
    }
}
