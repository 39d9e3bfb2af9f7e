package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
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
import org.levee.dataplane.object.RuleInfo;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.Counter;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.ebpf.XdpAction;
import org.levee.testing.Requirements;

/**
 * Rule sets whose rules are indexed ({@link org.levee.compiler.FilterIndex}): the program acts
 * and counts exactly as the same rules in a plain chain do, rule by rule, for every data center's
 * set of enabled rules, through drop, pass and rate-limit hit blocks placed next to their buckets;
 * disabled rules leave nothing; the object carries its rule groups through ELF.
 */
@Tag("kernel")
class IndexedRuleSetTest {

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    /**
     * Rules of five shapes, a few no key finds between them, actions of all three kinds and
     * rules for two data centers: the indexed program (classes of 8 rules or more) and the
     * chain (no index) give every frame the same action and every rule the same counts.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void anIndexedSetActsAndCountsAsTheChainDoes(long seed) {
        Random random = new Random(seed);
        int count = 150 + random.nextInt(150);
        StringBuilder yaml = new StringBuilder("rules:\n");
        for (int i = 0; i < count; i++) {
            int port = 10_000 + random.nextInt(count);
            String match = random.nextInt(15) == 0
                    ? "filter: udp and len > " + (60 + random.nextInt(40))
                    : switch (i % 5) {
                        case 0 -> "filter: udp and dst port " + port + ", destinations: [198.51.100.0/24]";
                        case 1 ->
                            "filter: 'tcp dst port " + port
                                    + " and tcp[tcpflags] & tcp-syn != 0', destinations: [203.0.113.0/24]";
                        case 2 -> "filter: udp src port " + port;
                        case 3 -> "filter: dst host 192.0.2." + (1 + random.nextInt(30)) + " and udp";
                        default -> "filter: ip6 and udp port " + port + ", destinations: ['2001:db8::/32']";
                    };
            String action = switch (random.nextInt(5)) {
                case 0 -> "pass";
                case 1 -> "ratelimit, pps: 1, burst: 2";
                default -> "drop";
            };
            String datacenters = random.nextInt(3) == 0 ? ", datacenters: [dc" + random.nextInt(2) + "]" : "";
            yaml.append("  - {id: r")
                    .append(i)
                    .append(", ")
                    .append(match)
                    .append(", action: ")
                    .append(action)
                    .append(datacenters)
                    .append("}\n");
        }
        RuleSetObject indexed = ProgramRunTest.compile(
                yaml.toString(), new ProgramBuilder().indexing(8, ProgramLimits.MAX_INDEXED_SLOTS_PER_PROGRAM));
        RuleSetObject chain = ProgramRunTest.compile(
                yaml.toString(), new ProgramBuilder().indexing(0, ProgramLimits.MAX_INDEXED_SLOTS_PER_PROGRAM));
        assertThat(indexed.program().groups())
                .as("rule groups of the indexed set")
                .isNotEmpty();
        assertThat(chain.program().groups()).isEmpty();
        List<byte[]> frames = new ArrayList<>();
        for (int f = 0; f < 300; f++) {
            int port = 10_000 + random.nextInt(count + 10);
            int other = random.nextInt(5) == 0 ? port : 4000;
            String dst = switch (random.nextInt(4)) {
                case 0 -> "198.51.100." + random.nextInt(256);
                case 1 -> "203.0.113." + random.nextInt(256);
                case 2 -> "192.0.2." + random.nextInt(40);
                default -> "10.0.0.1";
            };
            byte[] frame = switch (random.nextInt(4)) {
                case 0 -> Frames.tcpSyn("192.0.2.200", dst, other, port);
                case 1 -> Frames.udp("192.0.2.200", dst, port, other, random.nextInt(60));
                default -> Frames.udp("192.0.2.200", dst, other, port, random.nextInt(60));
            };
            for (int times = 0; times < 3; times++) {
                frames.add(frame); // a rate limit's third frame within a second is over the limit
            }
        }
        long limited = 0;
        for (String datacenter : new String[] {null, "dc0", "dc1"}) {
            Map<String, Long> constants = indexed.constants(datacenter, Instant.now());
            try (DataplaneMapSet indexedMaps = DataplaneMapSet.create();
                    DataplaneMapSet chainMaps = DataplaneMapSet.create()) {
                Attachment.prepareMaps(indexed, indexedMaps, 0);
                Attachment.prepareMaps(chain, chainMaps, 0);
                try (LoadedProgram a = LoadedProgram.load(indexed, constants, indexedMaps);
                        LoadedProgram b = LoadedProgram.load(chain, constants, chainMaps)) {
                    for (byte[] frame : frames) {
                        assertThat(ProgramRunTest.run(a, frame))
                                .as("data center %s", datacenter)
                                .isEqualTo(ProgramRunTest.run(b, frame));
                    }
                }
                for (Counter counter : Counter.values()) {
                    assertThat(ProgramRunTest.counter(indexedMaps, counter))
                            .as("%s, data center %s", counter, datacenter)
                            .isEqualTo(ProgramRunTest.counter(chainMaps, counter));
                }
                long matched = 0;
                for (RuleInfo rule : indexed.rules()) {
                    List<Long> counts = ProgramRunTest.ruleCounts(indexedMaps, rule.id());
                    assertThat(counts)
                            .as("rule %s, data center %s", rule.id(), datacenter)
                            .isEqualTo(ProgramRunTest.ruleCounts(chainMaps, rule.id()));
                    matched += counts.getFirst();
                }
                assertThat(matched).as("frames some rule matched").isGreaterThan(frames.size() / 4);
                limited += ProgramRunTest.counter(indexedMaps, Counter.RATELIMITED);
            }
        }
        assertThat(limited).as("rate-limited frames").isPositive();
    }

    /** With every rule disabled, an indexed set of 400 rules loads as exactly the program of an empty set. */
    @Test
    void allDisabledIsTheEmptyProgram() {
        RuleSetObject empty = ProgramRunTest.compile("rules: []\n");
        RuleSetObject set = ProgramRunTest.compile(RuleSets.mixed(400));
        assertThat(set.program().groups()).isNotEmpty();
        Map<String, Long> none = new HashMap<>(set.constants(null, Instant.now()));
        none.replaceAll((k, v) -> 0L);
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram disabled = LoadedProgram.load(set, none, maps);
                LoadedProgram nothing = LoadedProgram.load(empty, Map.of(), maps)) {
            assertThat(disabled.programs()).hasSize(1);
            assertThat(disabled.entry().info().xlated())
                    .isEqualTo(nothing.entry().info().xlated());
        }
    }

    /** The rule groups go through ELF with the rules, and the object read back loads and acts the same. */
    @Test
    void groupsRoundTripThroughElf() {
        RuleSetObject object = ProgramRunTest.compile(RuleSets.uniform(200));
        RuleSetObject read = RuleSetObject.fromElf("r.o", object.toElf());
        assertThat(read).isEqualTo(object);
        assertThat(read.program().groups()).isEqualTo(object.program().groups()).isNotEmpty();
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(read, read.constants(null, Instant.now()), maps)) {
            Attachment.prepareMaps(read, maps, 0);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_199, 8)))
                    .isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.run(loaded, Frames.udp("192.0.2.1", "198.51.100.9", 1, 10_200, 8)))
                    .isEqualTo(XdpAction.PASS);
            assertThat(ProgramRunTest.ruleCounts(maps, "port-199")).containsExactly(1L, 50L);
        }
    }
}
