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
            assertThat(disabledLength).isEqualTo(emptyLength + 2 * 50);
            assertThat(halfLength).isGreaterThan(emptyLength);
            assertThat(allLength).isGreaterThan(halfLength);
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
