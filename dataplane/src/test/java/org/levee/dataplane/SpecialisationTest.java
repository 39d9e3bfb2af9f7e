package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.ebpf.asm.Relocation;
import org.levee.testing.Requirements;

/** Patching rule_<id>_enabled to 0 lets the verifier delete the rule's code, and the guard in every case. */
@Tag("kernel")
class SpecialisationTest {

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static String rules(int count) {
        StringBuilder yaml = new StringBuilder("rules:\n");
        for (int i = 0; i < count; i++) {
            yaml.append(rule(i));
        }
        return yaml.toString();
    }

    /** Rule {@code r<i>} of {@link #rules}, as a YAML list item. */
    static String rule(int i) {
        return "  - id: r" + i + "\n    filter: udp and dst port " + (1000 + i)
                + "\n    destinations: [198.51.100.0/24]\n    action: "
                + (i % 3 == 2 ? "ratelimit\n    pps: 100" : "drop") + "\n    datacenters: [dc" + i % 2 + "]\n";
    }

    /** {@code object} loaded with {@code constants}: the kernel's translated code, program by program. */
    private static List<byte[]> xlated(RuleSetObject object, Map<String, Long> constants, DataplaneMapSet maps) {
        try (LoadedProgram loaded = LoadedProgram.load(object, constants, maps)) {
            return loaded.programs().stream().map(p -> p.info().xlated()).toList();
        }
    }

    /** Every rule of {@code object} disabled but the one whose constant is {@code enabledSymbol}. */
    private static Map<String, Long> only(RuleSetObject object, String enabledSymbol) {
        Map<String, Long> constants = new HashMap<>(object.constants(null, Instant.now()));
        constants.replaceAll((k, v) -> k.equals(enabledSymbol) ? 1L : 0L);
        return constants;
    }

    private static int slots(List<byte[]> programs) {
        return programs.stream().mapToInt(p -> p.length / 8).sum();
    }

    /** {@code object} loaded with {@code constants}: the length of each program's JIT-compiled code. */
    private static List<Integer> jited(RuleSetObject object, Map<String, Long> constants, DataplaneMapSet maps) {
        try (LoadedProgram loaded = LoadedProgram.load(object, constants, maps)) {
            return loaded.programs().stream().map(p -> p.info().jitedLength()).toList();
        }
    }

    /**
     * {@code xlated} without its {@code goto +0}s, jumps adjusted: what the kernel's no-op pass
     * would leave if it also caught the jumps that become {@code goto +0} when a later no-op goes
     * (it makes one pass), and what the x86 JIT emits anyway (it drops jumps of distance 0).
     */
    static byte[] withoutNoOpJumps(byte[] xlated) {
        List<Instruction> instructions = InstructionCodec.decode(xlated);
        Instruction nop = Instruction.ja(0);
        int[] slotBefore = new int[instructions.size() + 1];
        int[] keptBefore = new int[instructions.size() + 1];
        for (int i = 0; i < instructions.size(); i++) {
            slotBefore[i + 1] = slotBefore[i] + instructions.get(i).slots();
            keptBefore[i + 1] = keptBefore[i]
                    + (instructions.get(i).equals(nop) ? 0 : instructions.get(i).slots());
        }
        Map<Integer, Integer> keptAtSlot = new HashMap<>();
        for (int i = 0; i <= instructions.size(); i++) {
            keptAtSlot.put(slotBefore[i], keptBefore[i]);
        }
        List<Instruction> kept = new java.util.ArrayList<>();
        for (int i = 0; i < instructions.size(); i++) {
            Instruction insn = instructions.get(i);
            if (insn.equals(nop)) {
                continue;
            }
            if (insn.isJump()) {
                int target = slotBefore[i + 1] + insn.jumpOffset();
                insn = insn.withJumpOffset(keptAtSlot.get(target) - keptBefore[i + 1]);
            }
            kept.add(insn);
        }
        return InstructionCodec.encode(kept);
    }

    /**
     * The verifier deletes every disabled rule together with its guards, and every enabled rule's
     * guards: with all rules disabled the kernel runs exactly the program of an empty rule set,
     * and with one rule enabled the program of a set holding only that rule (same maps, so even
     * the map ids in the translated code agree) — but for {@code goto +0}s the kernel's one-pass
     * no-op removal leaves where the copies of the rules after it were, which the JIT does not
     * emit: the JIT-compiled code has the same length. The 50 rules are built into programs of
     * 1,500 slots, so they make a chain, whose tail call vanishes too.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 50})
    void disabledRulesAndAllGuardsVanishFromTheXlatedProgram(int count) {
        Random random = new Random(count);
        RuleSetObject empty = ProgramRunTest.compile("rules: []\n");
        RuleSetObject set =
                ProgramRunTest.compile(rules(count), new ProgramBuilder(ProgramLimits.DEFAULT_SAMPLE_BYTES, 1_500));
        try (DataplaneMapSet maps = DataplaneMapSet.create()) {
            List<byte[]> emptyCode = xlated(empty, Map.of(), maps);
            List<byte[]> disabledCode = xlated(set, only(set, "none"), maps);
            assertThat(disabledCode).as("%d rules, all disabled", count).hasSize(1);
            assertThat(disabledCode.getFirst())
                    .as("%d rules, all disabled, against an empty set", count)
                    .isEqualTo(emptyCode.getFirst());

            // one enabled rule, from the entry program (a rule of a later program also brings a tail call)
            List<String> inEntry = set.program().programs().getFirst().relocations().stream()
                    .filter(r -> r.kind() == Relocation.Kind.GUARD && r.symbol().startsWith("rule_"))
                    .map(Relocation::symbol)
                    .distinct()
                    .toList();
            int k = Integer.parseInt(
                    inEntry.get(random.nextInt(inEntry.size())).replaceAll("rule_r(\\d+)_enabled", "$1"));
            String rule = "r" + k;
            RuleSetObject alone = ProgramRunTest.compile("rules:\n" + rule(k));
            List<byte[]> oneCode = xlated(set, only(set, "rule_" + rule + "_enabled"), maps);
            List<byte[]> aloneCode = xlated(alone, only(alone, "rule_" + rule + "_enabled"), maps);
            assertThat(oneCode).hasSize(1);
            assertThat(withoutNoOpJumps(oneCode.getFirst()))
                    .as("only %s enabled of %d, against a set of %s alone", rule, count, rule)
                    .isEqualTo(aloneCode.getFirst());
            assertThat(jited(set, only(set, "rule_" + rule + "_enabled"), maps))
                    .as("JIT-compiled, %s of %d against alone", rule, count)
                    .isEqualTo(jited(alone, only(alone, "rule_" + rule + "_enabled"), maps));
            assertThat(slots(oneCode)).as("the rule's code").isGreaterThan(slots(emptyCode));

            if (count >= 2) {
                Map<String, Long> all = new HashMap<>(set.constants(null, Instant.now()));
                all.replaceAll((key, v) -> 1L);
                int allSlots = slots(xlated(set, all, maps));
                int halfSlots = slots(xlated(set, set.constants("dc0", Instant.now()), maps));
                System.out.printf(
                        "xlated instructions: empty %d, %d disabled %d, %s alone %d, dc0's half %d, all %d (%d programs)%n",
                        slots(emptyCode),
                        count,
                        slots(disabledCode),
                        rule,
                        slots(oneCode),
                        halfSlots,
                        allSlots,
                        set.program().programs().size());
                assertThat(allSlots).isGreaterThan(halfSlots);
                assertThat(halfSlots).isGreaterThan(slots(emptyCode));
            }
        }
    }

    @Test
    void aChainSkipsProgramsWhoseRulesAreAllDisabled() {
        // one rule per program: a chain of 5
        org.levee.rules.RuleSet set = org.levee.rules.RuleCodec.parse("r.yaml", rules(5));
        RuleSetObject object = RuleSetObject.compile(
                set,
                new org.levee.rules.RuleFilters().compile("r.yaml", set),
                new org.levee.dataplane.program.ProgramBuilder(128, 1));
        assertThat(object.program().programs()).hasSize(5);
        Map<String, Long> onlyLast = new HashMap<>(object.constants(null, Instant.now()));
        onlyLast.replaceAll((k, v) -> k.equals("rule_r4_enabled") ? 1L : 0L);
        try (DataplaneMapSet maps = DataplaneMapSet.create()) {
            Attachment.prepareMaps(object, maps, 0);
            try (LoadedProgram loaded = LoadedProgram.load(object, onlyLast, maps)) {
                assertThat(loaded.programs())
                        .as("the entry and the program of r4")
                        .hasSize(2);
                assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.1", 1, 1004, 8)))
                        .isEqualTo(XdpAction.DROP);
                assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.1", 1, 1003, 8)))
                        .isEqualTo(XdpAction.PASS);
            }
            Map<String, Long> none = new HashMap<>(onlyLast);
            none.replaceAll((k, v) -> 0L);
            try (LoadedProgram loaded = LoadedProgram.load(object, none, maps)) {
                assertThat(loaded.programs()).hasSize(1);
                assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.1", 1, 1004, 8)))
                        .isEqualTo(XdpAction.PASS);
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
        assertThat(object.constants("ams", now))
                .containsExactly(
                        Map.entry("rule_everywhere_enabled", 1L),
                        Map.entry("rule_ams-only_enabled", 1L),
                        Map.entry("rule_expired_enabled", 0L),
                        Map.entry("rule_later_enabled", 1L));
        assertThat(object.constants("fra", now)).containsEntry("rule_ams-only_enabled", 0L);
        assertThat(object.constants(null, now))
                .containsEntry("rule_ams-only_enabled", 0L)
                .containsEntry("rule_everywhere_enabled", 1L);
    }
}
