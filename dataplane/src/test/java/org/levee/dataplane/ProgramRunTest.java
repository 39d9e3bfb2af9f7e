package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.Counter;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.XdpAction;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.testing.Requirements;

/** The program's verdicts and counters, through the kernel's test runs. */
@Tag("kernel")
class ProgramRunTest {

    static final String RULES = """
            version: v1
            rules:
              - id: memcached-amp
                filter: udp and src port 11211
                action: drop
              - id: other-dc
                filter: udp
                datacenters: [ams]
                action: drop
              - id: dns-to-web
                filter: udp and dst port 53
                destinations: [198.51.100.0/24]
                action: drop
              - id: allow-ntp
                filter: udp and port 123
                action: pass
              - id: all-udp-9
                cbpf: "4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0"
                action: drop
                datacenters: [lhr]
            """;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static RuleSetObject compile(String yaml) {
        return compile(yaml, new ProgramBuilder());
    }

    static RuleSetObject compile(String yaml, ProgramBuilder builder) {
        RuleSet rules = RuleCodec.parse("test.yaml", yaml);
        return RuleSetObject.compile(rules, new RuleFilters().compile("test.yaml", rules), builder);
    }

    @Test
    void verdictsAndCountersFollowTheRules() {
        RuleSetObject object = compile(RULES);
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(object, object.constants("fra", Instant.now()), maps)) {
            Attachment.prepareMaps(object, maps, 0);
            assertThat(run(loaded, Frames.udp("192.0.2.1", "203.0.113.9", 11211, 4000, 100)))
                    .isEqualTo(XdpAction.DROP);
            assertThat(run(loaded, Frames.udp("192.0.2.1", "198.51.100.7", 5000, 53, 30)))
                    .isEqualTo(XdpAction.DROP);
            assertThat(run(loaded, Frames.udp("192.0.2.1", "203.0.113.9", 5000, 53, 30)))
                    .isEqualTo(XdpAction.PASS);
            assertThat(run(loaded, Frames.udp("192.0.2.1", "203.0.113.9", 123, 123, 48)))
                    .isEqualTo(XdpAction.PASS);
            assertThat(run(loaded, Frames.tcpSyn("192.0.2.1", "203.0.113.9", 11211, 80)))
                    .isEqualTo(XdpAction.PASS);

            assertThat(counter(maps, Counter.SEEN)).isEqualTo(5);
            assertThat(counter(maps, Counter.DROPPED)).isEqualTo(2);
            assertThat(counter(maps, Counter.PASSED)).isEqualTo(3);
            assertThat(ruleCounts(maps, "memcached-amp")).containsExactly(1L, (long) (14 + 20 + 8 + 100));
            assertThat(ruleCounts(maps, "dns-to-web")).containsExactly(1L, (long) (14 + 20 + 8 + 30));
            assertThat(ruleCounts(maps, "allow-ntp")).containsExactly(1L, (long) (14 + 20 + 8 + 48));
            assertThat(ruleCounts(maps, "other-dc")).containsExactly(0L, (long) (0));
        }
    }

    static XdpAction run(LoadedProgram loaded, byte[] frame) {
        return XdpAction.of(loaded.entry().testRun(TestRun.of(frame)).returnValue());
    }

    static long counter(DataplaneMapSet maps, Counter counter) {
        return Status.sumCounters(maps.get(DataplaneMaps.COUNTERS)).get(counter);
    }

    static List<Long> ruleCounts(DataplaneMapSet maps, String id) {
        long[] counts = Status.ruleCounts(maps.get(DataplaneMaps.RULE_SLOTS), maps.get(DataplaneMaps.RULE_STATS), id);
        return List.of(counts[0], counts[1]);
    }
}
