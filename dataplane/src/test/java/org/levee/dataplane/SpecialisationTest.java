package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.ebpf.testing.Requirements;

/** Patching rule_<id>_enabled to 0 lets the verifier delete the rule's code. */
class SpecialisationTest {

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static String rules(int count) {
        StringBuilder yaml = new StringBuilder("rules:\n");
        for (int i = 0; i < count; i++) {
            yaml.append("  - id: r").append(i).append("\n    filter: udp and dst port ").append(1000 + i)
                    .append("\n    destinations: [198.51.100.0/24]\n    action: ").append(i % 3 == 2 ? "ratelimit\n    pps: 100" : "drop")
                    .append("\n    datacenters: [dc").append(i % 2).append("]\n");
        }
        return yaml.toString();
    }

    @Test
    void allRulesDisabledLeaveTheXlatedLengthOfAnEmptyRuleSetPlusTheirGuardLoads() {
        RuleSetObject empty = ProgramRunTest.compile("rules: []\n");
        RuleSetObject fifty = ProgramRunTest.compile(rules(50));
        try (DataplaneMapSet maps = DataplaneMapSet.create()) {
            int emptyLength;
            try (LoadedProgram loaded = LoadedProgram.load(empty, Map.of(), maps)) {
                emptyLength = loaded.xlatedInstructions();
            }
            Map<String, Long> none = new HashMap<>(fifty.constants(null, Instant.now()));
            none.replaceAll((k, v) -> 0L);
            int disabledLength;
            try (LoadedProgram loaded = LoadedProgram.load(fifty, none, maps)) {
                disabledLength = loaded.xlatedInstructions();
                assertThat(loaded.programs()).as("later programs with every rule disabled are not loaded").hasSize(1);
            }
            int halfLength;
            try (LoadedProgram loaded = LoadedProgram.load(fifty, fifty.constants("dc0", Instant.now()), maps)) {
                halfLength = loaded.xlatedInstructions();
            }
            int allLength;
            Map<String, Long> all = new HashMap<>(none);
            all.replaceAll((k, v) -> 1L);
            try (LoadedProgram loaded = LoadedProgram.load(fifty, all, maps)) {
                allLength = loaded.xlatedInstructions();
            }
            System.out.printf("xlated instructions: empty %d, 50 disabled %d, 25 enabled %d, 50 enabled %d%n",
                    emptyLength, disabledLength, halfLength, allLength);
            // The verifier deletes each disabled rule's filter, counting and action code and its
            // guard's jump; only the guard's LD_IMM64 (2 slots, one JITed instruction) stays: the
            // verifier never deletes an instruction that runs, and no pass of it removes dead stores.
            // Chain programs whose rules are all disabled are not loaded, so only the entry's guards remain.
            long inEntry = fifty.program().programs().getFirst().relocations().stream()
                    .filter(r -> r.kind() == org.levee.ebpf.asm.Relocation.Kind.CONSTANT).count();
            assertThat(fifty.program().programs()).as("50 rules overflow the entry program").hasSizeGreaterThan(1);
            int tailCall = 5; // r1 = r6; r2 = levee_chain ll; w3 = 1; call bpf_tail_call (finds an empty slot)
            assertThat(disabledLength).isEqualTo(emptyLength + 2 * inEntry + tailCall);
            assertThat(halfLength).isGreaterThan(emptyLength);
            assertThat(allLength).isGreaterThan(halfLength);
        }
    }

    @Test
    void aChainSkipsProgramsWhoseRulesAreAllDisabled() {
        // one rule per program: a chain of 5
        org.levee.dataplane.rules.RuleSet set = org.levee.dataplane.rules.RuleSetParser.parse("r.yaml", rules(5));
        RuleSetObject object = RuleSetObject.compile(set, org.levee.dataplane.rules.RuleFilters.compile("r.yaml", set),
                new org.levee.dataplane.program.ProgramBuilder(128, 1));
        assertThat(object.program().programs()).hasSize(5);
        Map<String, Long> onlyLast = new HashMap<>(object.constants(null, Instant.now()));
        onlyLast.replaceAll((k, v) -> k.equals("rule_r4_enabled") ? 1L : 0L);
        try (DataplaneMapSet maps = DataplaneMapSet.create()) {
            Attachment.prepareMaps(object, maps, 0);
            try (LoadedProgram loaded = LoadedProgram.load(object, onlyLast, maps)) {
                assertThat(loaded.programs()).as("the entry and the program of r4").hasSize(2);
                assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.1", 1, 1004, 8)))
                        .isEqualTo(org.levee.dataplane.program.XdpAction.DROP);
                assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.1", 1, 1003, 8)))
                        .isEqualTo(org.levee.dataplane.program.XdpAction.PASS);
            }
            Map<String, Long> none = new HashMap<>(onlyLast);
            none.replaceAll((k, v) -> 0L);
            try (LoadedProgram loaded = LoadedProgram.load(object, none, maps)) {
                assertThat(loaded.programs()).hasSize(1);
                assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.1", 1, 1004, 8)))
                        .isEqualTo(org.levee.dataplane.program.XdpAction.PASS);
            }
        }
    }

    @Test
    void expiredRulesAndOtherDataCentersAreDisabled() {
        RuleSetObject object = ProgramRunTest.compile("""
                rules:
                  - {id: everywhere, filter: udp, action: drop}
                  - {id: ams-only, filter: udp, action: drop, datacenters: [ams]}
                  - {id: expired, filter: udp, action: drop, expires: "2026-01-01T00:00:00Z"}
                  - {id: later, filter: udp, action: drop, expires: "2030-01-01T00:00:00+01:00"}
                """);
        Instant now = Instant.parse("2026-06-01T00:00:00Z");
        assertThat(object.constants("ams", now)).containsExactly(Map.entry("rule_everywhere_enabled", 1L),
                Map.entry("rule_ams-only_enabled", 1L), Map.entry("rule_expired_enabled", 0L), Map.entry("rule_later_enabled", 1L));
        assertThat(object.constants("fra", now)).containsEntry("rule_ams-only_enabled", 0L);
        assertThat(object.constants(null, now)).containsEntry("rule_ams-only_enabled", 0L).containsEntry("rule_everywhere_enabled", 1L);
    }
}
