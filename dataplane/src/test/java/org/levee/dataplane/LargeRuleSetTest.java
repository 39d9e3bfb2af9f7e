package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.ebpf.XdpAction;
import org.levee.testing.Requirements;

/** 10,000 rules of the form "udp and dst port N" with a destination prefix: a tail-call chain. */
class LargeRuleSetTest {
    static final int RULES = 10_000;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static String rules(int count) {
        StringBuilder yaml = new StringBuilder("version: large\nrules:\n");
        for (int i = 0; i < count; i++) {
            yaml.append("  - {id: port-").append(i).append(", filter: udp and dst port ").append(10_000 + i)
                    .append(", destinations: [198.51.100.0/24], action: drop}\n");
        }
        return yaml.toString();
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
            System.out.printf("%d rules: compiled in %.1f s, %d programs, %d xlated instructions, loaded in %.1f s%n", RULES,
                    (compiled - start) / 1e9, loaded.programs().size(), loaded.xlatedInstructions(), (loadedAt - compiled) / 1e9);
            assertThat(loaded.programs().size()).isGreaterThan(1);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_000 + RULES - 1, 8)))
                    .isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_000, 8))).isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "203.0.113.9", 1, 10_000 + RULES - 1, 8)))
                    .as("outside the destination prefix").isEqualTo(XdpAction.PASS);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_000 + RULES, 8))).isEqualTo(XdpAction.PASS);
            assertThat(ProgramRunTest.ruleCounts(maps, "port-" + (RULES - 1))).containsExactly(1L, 50L);
        }
    }
}
