package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.ebpf.XdpAction;
import org.levee.testing.Requirements;

/**
 * 10,000 rules load and work: {@code udp and dst port N} with a destination prefix, and the
 * benchmark's five shapes in turn; both indexed ({@link org.levee.compiler.FilterIndex}).
 */
@Tag("kernel")
class LargeRuleSetTest {
    static final int RULES = 10_000;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static String rules(int count) {
        return RuleSets.uniform(count);
    }

    @Test
    void tenThousandRulesLoadAndTheLastOneStillMatches() {
        long start = System.nanoTime();
        RuleSetObject object = ProgramRunTest.compile(rules(RULES));
        long compiled = System.nanoTime();
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(object, object.constants(null, Instant.now()), maps)) {
            long loadedAt = System.nanoTime();
            Attachment.prepareMaps(object, maps, 0);
            System.out.printf(
                    "%d rules: compiled in %.1f s, %d programs, %d xlated instructions, loaded in %.1f s%n",
                    RULES,
                    (compiled - start) / 1e9,
                    loaded.programs().size(),
                    loaded.xlatedInstructions(),
                    (loadedAt - compiled) / 1e9);
            assertThat(object.program().groups()).as("indexed").isNotEmpty();
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_000 + RULES - 1, 8)))
                    .isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_000, 8)))
                    .isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "203.0.113.9", 1, 10_000 + RULES - 1, 8)))
                    .as("outside the destination prefix")
                    .isEqualTo(XdpAction.PASS);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_000 + RULES, 8)))
                    .isEqualTo(XdpAction.PASS);
            assertThat(ProgramRunTest.ruleCounts(maps, "port-" + (RULES - 1))).containsExactly(1L, 50L);
        }
    }

    @Test
    void tenThousandRulesOfFiveShapesLoadAndMatch() {
        long start = System.nanoTime();
        RuleSetObject object = ProgramRunTest.compile(RuleSets.mixed(RULES));
        long compiled = System.nanoTime();
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(object, object.constants(null, Instant.now()), maps)) {
            long loadedAt = System.nanoTime();
            Attachment.prepareMaps(object, maps, 0);
            System.out.printf(
                    "%d mixed rules: compiled in %.1f s, %d programs, %d xlated instructions, loaded in %.1f s%n",
                    RULES,
                    (compiled - start) / 1e9,
                    loaded.programs().size(),
                    loaded.xlatedInstructions(),
                    (loadedAt - compiled) / 1e9);
            int last =
                    RULES - 1; // shape 4: ip6 and udp port N for 2001:db8::/32, found in the IPv4 classes by no packet
            int udpToPort = RULES - 5; // shape 0
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_000 + udpToPort, 8)))
                    .isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.ruleCounts(maps, "mixed-" + udpToPort)).containsExactly(1L, 50L);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 10_000 + RULES - 3, 4000, 8)))
                    .as("udp src port of rule %d", RULES - 3)
                    .isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.ruleCounts(maps, "mixed-" + (RULES - 3))).containsExactly(1L, 50L);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 4000, 9, 8)))
                    .isEqualTo(XdpAction.PASS);
            assertThat(ProgramRunTest.ruleCounts(maps, "mixed-" + last)).containsExactly(0L, 0L);
        }
    }
}
