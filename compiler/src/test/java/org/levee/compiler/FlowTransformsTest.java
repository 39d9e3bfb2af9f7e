package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.compiler.flow.Conjunction;
import org.levee.compiler.flow.DeadWrites;
import org.levee.compiler.flow.Entry;
import org.levee.compiler.flow.Facts;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.JumpNormaliser;
import org.levee.compiler.flow.Knowledge;
import org.levee.compiler.flow.Op;
import org.levee.compiler.flow.Predicate;
import org.levee.compiler.flow.Rejections;
import org.levee.compiler.flow.Values;

/**
 * The flow transforms a filter chain relies on keep a filter's meaning, checked with the
 * interpreter on seeded random programs and packets (no kernel): splitting rejections, joining
 * filters into a conjunction, dropping dead writes, and ruling a filter out from facts that hold
 * on the packet.
 */
class FlowTransformsTest {
    private static final int PROGRAMS = 3000;

    private static boolean matches(Flow flow, byte[] packet) {
        return CbpfInterpreter.run(RandomCbpf.link(flow.ops()), packet) != 0;
    }

    private static boolean matches(CbpfProgram program, byte[] packet) {
        return CbpfInterpreter.run(program, packet) != 0;
    }

    @Test
    void splittingRejectionsGivesEveryEdgeItsOwnAndChangesNothingElse() {
        RandomCbpf random = new RandomCbpf(101);
        for (int n = 0; n < PROGRAMS; n++) {
            CbpfProgram program = RandomCbpf.link(random.next(30));
            Flow flow = JumpNormaliser.normalise(program);
            Flow split = Rejections.split(flow);
            int[] edgesIn = new int[split.size()];
            for (int i = 0; i < split.size(); i++) {
                for (int s : split.successors(i)) {
                    edgesIn[s]++;
                }
            }
            for (int i = 0; i < split.size(); i++) {
                if (split.get(i).isRejection()) {
                    assertThat(edgesIn[i])
                            .as("edges into the rejection at %d", i)
                            .isLessThanOrEqualTo(1);
                }
            }
            for (int p = 0; p < 4; p++) {
                byte[] packet = random.packet(14 + random.nextInt(60));
                assertThat(matches(split, packet)).isEqualTo(matches(program, packet));
            }
        }
    }

    @Test
    void aConjunctionMatchesWhenEveryPartDoes() {
        RandomCbpf random = new RandomCbpf(202);
        int both = 0;
        for (int n = 0; n < PROGRAMS; n++) {
            List<CbpfProgram> parts = new ArrayList<>();
            for (int q = 0; q < 1 + random.nextInt(3); q++) {
                parts.add(RandomCbpf.link(random.next(20)));
            }
            Flow conjunction =
                    Conjunction.of(parts.stream().map(JumpNormaliser::normalise).toList());
            for (int p = 0; p < 4; p++) {
                byte[] packet = random.packet(14 + random.nextInt(60));
                boolean expected = parts.stream().allMatch(part -> matches(part, packet));
                both += expected && parts.size() > 1 ? 1 : 0;
                if (matches(conjunction, packet) != expected) {
                    StringBuilder text = new StringBuilder();
                    parts.forEach(
                            part -> text.append(CbpfText.printListing(part)).append("--\n"));
                    throw new AssertionError("conjunction says " + !expected + " on "
                            + HexFormat.of().formatHex(packet) + "\n" + text);
                }
            }
        }
        assertThat(both).as("packets that more than one part matched").isGreaterThan(100);
    }

    @Test
    void droppingDeadWritesKeepsTheMeaning() {
        RandomCbpf random = new RandomCbpf(303);
        int dropped = 0;
        for (int n = 0; n < PROGRAMS; n++) {
            CbpfProgram program = RandomCbpf.link(random.next(30));
            Flow flow = JumpNormaliser.normalise(program);
            Flow lean = DeadWrites.apply(flow, Entry.NONE);
            dropped += flow.size() - lean.size();
            for (int p = 0; p < 4; p++) {
                byte[] packet = random.packet(random.nextInt(70));
                assertThat(matches(lean, packet))
                        .as("%s", CbpfText.printListing(program))
                        .isEqualTo(matches(program, packet));
            }
        }
        assertThat(dropped).as("writes dropped over all programs").isPositive();
    }

    @Test
    void aCompileThatStartsKnowingFactsLeavesOutTheTestsTheyDecide() {
        // ldh [12]; jeq #0x800 jt 2 jf 5; ldb [23]; jeq #17 jt 4 jf 5; ret #1; ret #0  ("ip and proto 17")
        CbpfProgram udp = CbpfProgram.of(ldAbsH(12), jeqK(0x800, 0, 3), ldAbsB(23), jeqK(17, 0, 1), retK(1), retK(0));
        Flow flow = JumpNormaliser.normalise(udp);
        Predicate ipv4 = new Predicate(
                JEQ, new org.levee.compiler.flow.Value.Load(2, 12), new org.levee.compiler.flow.Value.Const(0x800));
        Compilation alone = CbpfCompiler.compile(udp.size(), flow, Entry.NONE, true);
        Compilation knowingIpv4 =
                CbpfCompiler.compile(udp.size(), flow, Entry.of(Knowledge.NOTHING.with(ipv4, true)), true);
        Compilation knowingNotIpv4 =
                CbpfCompiler.compile(udp.size(), flow, Entry.of(Knowledge.NOTHING.with(ipv4, false)), true);
        assertThat(knowingIpv4.flow().size()).isLessThan(alone.flow().size());
        assertThat(knowingIpv4.flow().ops()).noneMatch(op -> op.isConditional() && op.k() == 0x800);
        assertThat(knowingNotIpv4.neverMatches()).isTrue();
        // the exits say what holds there: after "not UDP", both outcomes are known
        Exit notUdp = alone.exits().stream()
                .filter(e -> e.kind() == Exit.Kind.REJECT
                        && Boolean.TRUE.equals(e.state().facts().decide(ipv4)))
                .findFirst()
                .orElseThrow();
        assertThat(notUdp.state()
                        .facts()
                        .decide(new Predicate(
                                JEQ,
                                new org.levee.compiler.flow.Value.Load(1, 23),
                                new org.levee.compiler.flow.Value.Const(17))))
                .isFalse();
        assertThat(notUdp.state().packetBytes())
                .as("the guard before the loads proved 24 bytes")
                .isEqualTo(24);
    }

    /**
     * Facts that hold on a packet (the outcomes another random program's tests have on it) never
     * rule out a filter that matches that packet.
     */
    @Test
    void factsThatHoldNeverRuleOutAFilterThatMatches() {
        RandomCbpf random = new RandomCbpf(404);
        Random choice = new Random(404);
        int ruledOut = 0;
        for (int n = 0; n < PROGRAMS; n++) {
            List<Op> ops = random.next(25);
            Flow filter = JumpNormaliser.normalise(RandomCbpf.link(ops));
            Flow witness = JumpNormaliser.normalise(RandomCbpf.link(random.next(25)));
            for (int p = 0; p < 4; p++) {
                byte[] packet = random.packet(14 + random.nextInt(60));
                Knowledge facts = factsOn(witness, packet, choice);
                facts = facts.with(
                        Predicate.of(
                                new Op(JMP | JEQ | K, packet.length, 1, 2),
                                state(new org.levee.compiler.flow.Value.Len())),
                        true);
                if (Facts.rulesOut(filter, facts, 256)) {
                    ruledOut++;
                    assertThat(matches(filter, packet))
                            .as("ruled out but matches %s", HexFormat.of().formatHex(packet))
                            .isFalse();
                }
            }
        }
        assertThat(ruledOut).as("filters ruled out over all packets").isGreaterThan(200);
    }

    /**
     * Outcomes on {@code packet} of some of {@code flow}'s tests, from their symbolic values
     * evaluated on the packet: true facts, wherever in the flow the tests are.
     */
    private static Knowledge factsOn(Flow flow, byte[] packet, Random choice) {
        Values values = Values.analyse(flow);
        Knowledge facts = Knowledge.NOTHING;
        for (int i = 0; i < flow.size(); i++) {
            if (!flow.get(i).isConditional() || !values.isReachable(i) || !choice.nextBoolean()) {
                continue;
            }
            Predicate p = Predicate.of(flow.get(i), values.before(i));
            Long a = evaluate(p.a(), packet);
            Long b = evaluate(p.b(), packet);
            if (a != null && b != null) {
                boolean outcome = new Predicate(
                                p.op(),
                                new org.levee.compiler.flow.Value.Const(a.intValue()),
                                new org.levee.compiler.flow.Value.Const(b.intValue()))
                        .evaluate();
                facts = facts.with(p, outcome);
            }
        }
        return facts;
    }

    /** What {@code v} is on {@code packet} (unsigned 32 bits), or null when it names a byte past the end or no packet value. */
    private static Long evaluate(org.levee.compiler.flow.Value v, byte[] packet) {
        return switch (v) {
            case org.levee.compiler.flow.Value.Const c -> Integer.toUnsignedLong(c.k());
            case org.levee.compiler.flow.Value.Len l -> (long) packet.length;
            case org.levee.compiler.flow.Value.Load load -> load(packet, load.offset(), load.width());
            case org.levee.compiler.flow.Value.IndirectLoad load -> {
                Long x = evaluate(load.x(), packet);
                yield x == null ? null : load(packet, x + Integer.toUnsignedLong(load.k()), load.width());
            }
            case org.levee.compiler.flow.Value.Alu alu -> {
                Long a = evaluate(alu.a(), packet);
                Long b = evaluate(alu.b(), packet);
                Integer folded = a == null || b == null ? null : Values.fold(alu.op(), a.intValue(), b.intValue());
                yield folded == null ? null : Integer.toUnsignedLong(folded);
            }
            default -> null;
        };
    }

    private static Long load(byte[] packet, long offset, int width) {
        if (offset + width > packet.length) {
            return null;
        }
        long value = 0;
        for (int i = 0; i < width; i++) {
            value = value << 8 | (packet[(int) offset + i] & 0xff);
        }
        return value;
    }

    private static org.levee.compiler.flow.Value[] state(org.levee.compiler.flow.Value a) {
        org.levee.compiler.flow.Value[] in = new org.levee.compiler.flow.Value[Values.SLOTS];
        java.util.Arrays.fill(in, new org.levee.compiler.flow.Value.Const(0));
        in[Values.A_SLOT] = a;
        return in;
    }
}
