package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.RuleKey;
import org.levee.ebpf.BpfFs;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.testing.Requirements;

/**
 * The second rules stage: two edges of one data center load the same fleet object and different
 * local rules. Each drops what its own local rules match and nothing of the other's, the fleet's
 * rules act alike on both, and the kernel runs the fleet's program byte for byte the same on both
 * (its translated code, map ids replaced by map names). The local stage survives swaps of the main
 * program, counts its rules, neither samples nor counts a packet twice, and empties.
 */
@Tag("kernel")
class LocalStageTest {

    static final String FLEET = """
            version: "7"
            rules:
              - {id: flood-ams, filter: udp and dst port 9001, action: drop, datacenters: [ams]}
              - {id: flood-fra, filter: udp and dst port 9002, action: drop, datacenters: [fra]}
              - {id: limit-everywhere, filter: udp and dst port 9005, action: ratelimit, pps: 1}
            """;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static RuleSetObject fleetObject(String yaml) {
        RuleSet rules = RuleCodec.parse("fleet.yaml", yaml);
        return RuleSetObject.compile(rules, new RuleFilters().compile("fleet.yaml", rules), new ProgramBuilder());
    }

    static RuleSet local(String yaml) {
        return RuleCodec.parse("local.yaml", yaml);
    }

    static XdpAction run(XdpDataPlane plane, byte[] frame) {
        try (Program program = Program.fromId((int) plane.attachment().programId())) {
            return XdpAction.of(program.testRun(TestRun.of(frame)).returnValue());
        }
    }

    static byte[] udp(int port) {
        return Frames.udp("192.0.2.1", "198.51.100.7", 40_000, port, 20);
    }

    @Test
    void twoEdgesRunTheSameFleetProgramWithDifferentLocalRules() {
        byte[] fleetElf = fleetObject(FLEET).toElf();
        try (NetnsLab lab = NetnsLab.create()) {
            String peer = lab.addNamespace("peer");
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair toA = lab.addVeth(peer, "192.0.2.1/30", a, "192.0.2.2/30");
            VethPair toB = lab.addVeth(peer, "192.0.2.5/30", b, "192.0.2.6/30");
            PinLayout layoutA = new PinLayout(toA.interfaceB(), a);
            PinLayout layoutB = new PinLayout(toB.interfaceB(), b);
            XdpDataPlane edgeA = XdpDataPlane.open(toA.interfaceB(), a, XdpMode.NATIVE, 1);
            XdpDataPlane edgeB = XdpDataPlane.open(toB.interfaceB(), b, XdpMode.NATIVE, 1);
            try {
                assertThatThrownBy(() -> edgeA.installLocal(local("rules: []"), "ams"))
                        .as("no program yet: nothing would reach the stage")
                        .isInstanceOf(IllegalStateException.class);
                // each edge reads the same ELF bytes, as edges fetch it from the store
                edgeA.install(RuleSetObject.fromElf("a", fleetElf), "ams", 1);
                edgeB.install(RuleSetObject.fromElf("b", fleetElf), "ams", 1);
                edgeA.installLocal(local("""
                        version: local-a
                        rules: [{id: local-a, filter: udp and dst port 9003, action: drop}]
                        """), "ams");
                edgeB.installLocal(local("""
                        version: local-b
                        rules:
                          - {id: local-b, filter: udp and dst port 9004, action: drop}
                          - {id: local-b-fra, filter: udp and dst port 9006, action: drop, datacenters: [fra]}
                        """), "ams");
                assertThat(edgeA.localProgramId()).isPositive();
                assertThat(edgeB.localProgramId()).isPositive().isNotEqualTo(edgeA.localProgramId());

                assertThat(TranslatedCode.of((int) edgeA.attachment().programId()))
                        .as("the fleet program's translated code, map ids by name, on both edges")
                        .isEqualTo(TranslatedCode.of((int) edgeB.attachment().programId()));
                assertThat(edgeA.attachment().programId())
                        .isNotEqualTo(edgeB.attachment().programId());
                assertThat(TranslatedCode.of((int) edgeA.localProgramId()))
                        .as("the local stages differ")
                        .isNotEqualTo(TranslatedCode.of((int) edgeB.localProgramId()));

                Counters before = edgeA.totals();
                assertThat(List.of(
                                run(edgeA, udp(9001)),
                                run(edgeA, udp(9002)),
                                run(edgeA, udp(9003)),
                                run(edgeA, udp(9004))))
                        .as("edge A: fleet rule of ams, of fra, its local rule, B's local rule")
                        .containsExactly(XdpAction.DROP, XdpAction.PASS, XdpAction.DROP, XdpAction.PASS);
                assertThat(List.of(
                                run(edgeB, udp(9001)),
                                run(edgeB, udp(9003)),
                                run(edgeB, udp(9004)),
                                run(edgeB, udp(9006))))
                        .as("edge B: fleet rule of ams, A's local rule, its own, its own for fra")
                        .containsExactly(XdpAction.DROP, XdpAction.PASS, XdpAction.DROP, XdpAction.PASS);
                Counters afterA = edgeA.counters();
                assertThat(afterA.seen() - before.seen())
                        .as("seen once per packet, not again in the stage")
                        .isEqualTo(4);
                assertThat(afterA.sampled() - before.sampled())
                        .as("sampled once per packet (1 in 1)")
                        .isEqualTo(4);
                assertThat(afterA.dropped() - before.dropped()).isEqualTo(2);
                assertThat(afterA.passed() - before.passed()).isEqualTo(2);
                assertThat(afterA.rule("local-a")).isEqualTo(new Counters.RuleCounters(1, 14 + 20 + 8 + 20));
                assertThat(afterA.rule("flood-ams").packets()).isEqualTo(1);
                assertThat(edgeB.counters().rule("local-b").packets()).isEqualTo(1);

                // a new fleet version swaps the main program; the local stage stays
                long localBefore = edgeA.localProgramId();
                edgeA.install(fleetObject(FLEET.replace("9001", "9011").replace("\"7\"", "\"8\"")), "ams", null);
                assertThat(run(edgeA, udp(9011))).isEqualTo(XdpAction.DROP);
                assertThat(run(edgeA, udp(9003)))
                        .as("local rule after the swap")
                        .isEqualTo(XdpAction.DROP);
                assertThat(edgeA.localProgramId()).isEqualTo(localBefore);
                assertThat(edgeA.counters().rule("local-a").packets()).isEqualTo(2);

                // emptied: the main program's tail call falls through to the exit again
                edgeA.installLocal(local("rules: []"), "ams");
                assertThat(edgeA.localProgramId()).isZero();
                assertThat(run(edgeA, udp(9003))).isEqualTo(XdpAction.PASS);
                assertThat(layoutA.directory().toFile().list()).noneMatch(n -> n.startsWith("levee_local_chain_"));

                // a single node's apply puts every rule in the main program and empties the stage
                edgeB.apply(local("rules: [{id: only, filter: udp and dst port 9007, action: drop}]"), "ams");
                assertThat(edgeB.localProgramId()).isZero();
                assertThat(List.of(run(edgeB, udp(9007)), run(edgeB, udp(9004))))
                        .containsExactly(XdpAction.DROP, XdpAction.PASS);
            } finally {
                edgeA.close(true);
                edgeB.close(true);
                Attachment.detach(layoutA);
                Attachment.detach(layoutB);
            }
        }
    }

    @Test
    void anInterfaceAttachedWithoutTheLocalSlotGetsOne() {
        try (NetnsLab lab = NetnsLab.create()) {
            String peer = lab.addNamespace("peer");
            String a = lab.addNamespace("a");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", a, "192.0.2.2/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), a);
            try {
                XdpDataPlane first = XdpDataPlane.open(veth.interfaceB(), a, XdpMode.NATIVE, 1);
                first.install(fleetObject(FLEET), "ams", 1);
                first.close(false);
                // as a Levee before the local stage left its pins
                assertThat(BpfFs.unpin(layout.pin("levee_local"))).isTrue();

                XdpDataPlane second = XdpDataPlane.open(veth.interfaceB(), a, XdpMode.NATIVE, 1);
                second.installLocal(
                        local("rules: [{id: local-a, filter: udp and dst port 9003, action: drop}]"), "ams");
                assertThat(layout.pin("levee_local")).exists();
                second.install(fleetObject(FLEET), "ams", null);
                assertThat(run(second, udp(9003))).isEqualTo(XdpAction.DROP);
                second.close(true);
            } finally {
                Attachment.detach(layout);
            }
        }
    }

    /** The keys of a pinned per-rule map, as rule keys. */
    static Set<Long> keysOf(PinLayout layout, MapSpec spec) {
        try (BpfMap map = BpfMap.openPinned(layout.pin(spec.name()))) {
            Set<Long> keys = new HashSet<>();
            for (byte[] key : map.keys()) {
                keys.add(ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).getLong());
            }
            return keys;
        }
    }

    /**
     * The per-rule maps hold 65,536 entries: the entries of rules that left both stages are
     * deleted with each new rule set (a node making automatic rules for months would otherwise
     * fill them, and then no rule set could be loaded), those of the running rules kept, with
     * their counts and rate-limit state; a local stage this process does not know keeps its
     * entries until it does.
     */
    @Test
    void theEntriesOfRetiredRulesLeaveThePerRuleMaps() {
        try (NetnsLab lab = NetnsLab.create()) {
            String peer = lab.addNamespace("peer");
            String a = lab.addNamespace("a");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", a, "192.0.2.2/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), a);
            try {
                XdpDataPlane first = XdpDataPlane.open(veth.interfaceB(), a, XdpMode.NATIVE, 1);
                first.install(fleetObject(FLEET), "ams", 1);
                first.installLocal(local("rules: [{id: local-a, filter: udp and dst port 9003, action: drop}]"), "ams");
                first.close(false);

                // A new process: it has not seen the local stage, so local-a's entry stays.
                XdpDataPlane edge = XdpDataPlane.open(veth.interfaceB(), a, XdpMode.NATIVE, 1);
                edge.install(fleetObject(FLEET.replace("flood-fra", "flood-fra-2")), "ams", null);
                assertThat(keysOf(layout, DataplaneMaps.RULE_SLOTS))
                        .contains(RuleKey.of("local-a"), RuleKey.of("flood-fra"));
                edge.installLocal(local("rules: [{id: local-b, filter: udp and dst port 9004, action: drop}]"), "ams");
                assertThat(run(edge, udp(9004))).isEqualTo(XdpAction.DROP);
                assertThat(keysOf(layout, DataplaneMaps.RULE_SLOTS))
                        .containsExactlyInAnyOrder(
                                RuleKey.of("flood-ams"),
                                RuleKey.of("flood-fra-2"),
                                RuleKey.of("limit-everywhere"),
                                RuleKey.of("local-b"));
                assertThat(keysOf(layout, DataplaneMaps.RATE_LIMITS)).containsExactly(RuleKey.of("limit-everywhere"));

                // Fifty versions of automatic rules, three new ids each: only the last ones stay.
                for (int v = 0; v < 50; v++) {
                    edge.install(
                            fleetObject(FLEET.replace("flood-", "auto-" + v + "-")
                                    .replace("limit-everywhere", "limit-" + v)
                                    .replace("\"7\"", "\"" + (10 + v) + "\"")),
                            "ams",
                            null);
                }
                assertThat(keysOf(layout, DataplaneMaps.RULE_SLOTS))
                        .containsExactlyInAnyOrder(
                                RuleKey.of("auto-49-ams"),
                                RuleKey.of("auto-49-fra"),
                                RuleKey.of("limit-49"),
                                RuleKey.of("local-b"));
                assertThat(keysOf(layout, DataplaneMaps.RATE_LIMITS)).containsExactly(RuleKey.of("limit-49"));
                try (BpfMap slots = BpfMap.openPinned(layout.pin(DataplaneMaps.RULE_SLOTS.name()))) {
                    assertThat(slots.lookupBatch())
                            .as("counter slots given back are taken again: 150 rules came and went, 4 run")
                            .allSatisfy(e -> assertThat(ByteBuffer.wrap(e.value())
                                            .order(ByteOrder.nativeOrder())
                                            .getInt())
                                    .isLessThan(12));
                }
                assertThat(run(edge, udp(9001))).isEqualTo(XdpAction.DROP);
                assertThat(run(edge, udp(9004))).as("the local rule").isEqualTo(XdpAction.DROP);
                assertThat(edge.counters().rule("local-b").packets())
                        .as("its count carried over")
                        .isEqualTo(2);
                edge.close(true);
            } finally {
                Attachment.detach(layout);
            }
        }
    }
}
