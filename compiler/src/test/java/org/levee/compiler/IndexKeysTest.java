package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.JumpNormaliser;
import org.levee.compiler.flow.MatchPaths;
import org.levee.compiler.flow.Op;
import org.levee.compiler.flow.Value;
import org.levee.compiler.flow.ValueCode;
import org.levee.compiler.flow.Values;
import org.levee.testing.Requirements;

/**
 * What makes a {@link FilterIndex} sound, checked with the interpreter on seeded random programs
 * and packets (no kernel): a packet a filter matches passes every test of one of its matching
 * paths ({@link MatchPaths}), so the value a path pins has that constant on every packet that
 * matches along it; and the code {@link ValueCode} writes for a value computes that value.
 */
class IndexKeysTest {
    private static final int PROGRAMS = 3000;

    @Test
    void aPacketARandomProgramMatchesPassesEveryTestOfOneOfItsPaths() {
        RandomCbpf random = new RandomCbpf(404);
        List<CbpfProgram> programs = new ArrayList<>();
        List<byte[]> packets = new ArrayList<>();
        for (int n = 0; n < PROGRAMS; n++) {
            programs.add(RandomCbpf.link(random.next(30)));
        }
        for (int p = 0; p < 6; p++) {
            packets.add(random.packet(14 + random.nextInt(60)));
        }
        assertThat(followed(programs, packets)[0]).as("matched packets").isGreaterThan(1000);
    }

    /** tcpdump expressions of every kind on the seeded corpus: many matches along paths that pin values (ports, hosts). */
    @Test
    void aPacketAnExpressionMatchesPassesEveryTestOfOneOfItsPaths() {
        Requirements.library(Libpcap.SONAME);
        List<CbpfProgram> programs = FilterExpressions.ALL.stream()
                .map(e -> Libpcap.compile(e, LinkType.EN10MB))
                .toList();
        List<byte[]> packets =
                PacketCorpus.standard().stream().map(PacketCorpus.Packet::data).toList();
        int[] counts = followed(programs, packets);
        assertThat(counts[0]).as("matched packets").isGreaterThan(10_000);
        assertThat(counts[1]).as("matched along a path that pins a value").isGreaterThan(5_000);
    }

    /** Matched packets, and those matched along a path that pins a value: every one passes all tests of some path. */
    private static int[] followed(List<CbpfProgram> programs, List<byte[]> packets) {
        int matched = 0;
        int pinned = 0;
        for (CbpfProgram program : programs) {
            Optional<List<MatchPaths.Path>> paths = MatchPaths.of(JumpNormaliser.normalise(program), 64, 4096);
            if (paths.isEmpty()) {
                continue;
            }
            for (byte[] packet : packets) {
                if (CbpfInterpreter.run(program, packet) == 0) {
                    continue;
                }
                matched++;
                boolean followed = false;
                for (MatchPaths.Path path : paths.get()) {
                    if (path.tests().stream().allMatch(test -> holds(test, packet))) {
                        followed = true;
                        pinned += path.pins().isEmpty() ? 0 : 1;
                        break;
                    }
                }
                assertThat(followed)
                        .as(
                                "a path the packet %s follows in%n%s",
                                HexFormat.of().formatHex(packet), CbpfText.printListing(program))
                        .isTrue();
            }
        }
        return new int[] {matched, pinned};
    }

    /** Whether {@code test} has its outcome on {@code packet}: its value computed by {@link ValueCode}, then compared. */
    private static boolean holds(MatchPaths.Test test, byte[] packet) {
        if (!(test.predicate().b() instanceof Value.Const k)
                || !ValueCode.supports(test.predicate().a())) {
            return true; // nothing to check it with: not a test the index uses
        }
        List<Op> ops = new ArrayList<>();
        ValueCode.toA(test.predicate().a(), ops);
        int at = ops.size();
        ops.add(new Op(JMP | test.predicate().op() | K, k.k(), at + 1, at + 2));
        ops.add(Op.retK(1));
        ops.add(Op.retK(2));
        int result = CbpfInterpreter.run(RandomCbpf.link(ops), packet);
        return result == (test.outcome() ? 1 : 2);
    }

    @Test
    void theCodeForAValueComputesThatValue() {
        RandomCbpf random = new RandomCbpf(505);
        int values = 0;
        for (int n = 0; n < PROGRAMS; n++) {
            CbpfProgram program = RandomCbpf.link(random.next(30));
            Optional<List<MatchPaths.Path>> paths = MatchPaths.of(JumpNormaliser.normalise(program), 64, 4096);
            for (MatchPaths.Path path : paths.orElse(List.of())) {
                for (MatchPaths.Test test : path.tests()) {
                    Value value = test.predicate().a();
                    if (value instanceof Value.Const || !ValueCode.supports(value)) {
                        continue;
                    }
                    List<Op> ops = new ArrayList<>();
                    ValueCode.toA(value, ops);
                    ops.add(Op.plain(RET | A, 0));
                    Flow flow = new Flow(ops);
                    assertThat(Values.analyse(flow).a(ops.size() - 1))
                            .as("the value of %s", ops)
                            .isEqualTo(value);
                    values++;
                }
            }
        }
        assertThat(values).as("values computed").isGreaterThan(1000);
    }
}
