package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.testing.Requirements;

/**
 * Four implementations of every expression agree on every packet of the seeded corpus: libpcap's
 * offline filter, the cBPF interpreter, our eBPF in the kernel (XDP wrapper, BPF_PROG_TEST_RUN)
 * and our C compiled by clang, loaded the same way.
 *
 * <p>XDP never sees a packet shorter than an Ethernet header and BPF_PROG_TEST_RUN refuses one,
 * so the two kernel engines are compared on packets of 14 bytes or more; the corpus truncates
 * frames (captured length = wire length here: XDP's {@code len} is what it has), and the
 * interpreter and libpcap are compared on all of them.
 */
@Tag("kernel")
class ExpressionDifferentialTest {
    private static List<PacketCorpus.Packet> corpus;

    @TempDir
    static Path work;

    @BeforeAll
    static void corpus() {
        corpus = PacketCorpus.standard();
    }

    static Stream<String> expressions() {
        return FilterExpressions.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void allEnginesAgree(String expression) throws Exception {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        Requirements.command("clang");
        Requirements.command("llvm-objcopy");
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(2000);
        CbpfProgram cbpf = Libpcap.compile(expression, LinkType.EN10MB);
        Compilation compilation = CbpfCompiler.compile(cbpf);
        byte[] fromC = Clang.compileSection(CEmitter.xdpProgram(compilation), "xdp", work);
        int matches = 0;
        int kernelRuns = 0;
        try (Program ours = XdpFilterProgram.of(compilation).load("levee_diff");
                Program clang = Program.load(ProgramSpec.xdp("levee_diff_c", fromC))) {
            for (int i = 0; i < corpus.size(); i++) {
                byte[] packet = corpus.get(i).data();
                boolean expected = Libpcap.offlineFilter(cbpf, packet, packet.length);
                boolean interpreter = CbpfInterpreter.run(cbpf, packet) != 0;
                check(expression, i, "interpreter", expected, interpreter, cbpf, compilation);
                if (packet.length >= XdpFilterProgram.MIN_TEST_RUN_BYTES) {
                    check(expression, i, "eBPF", expected, XdpFilterProgram.matches(ours, packet), cbpf, compilation);
                    check(expression, i, "C", expected, XdpFilterProgram.matches(clang, packet), cbpf, compilation);
                    kernelRuns++;
                }
                matches += expected ? 1 : 0;
            }
        }
        assertThat(kernelRuns).as("packets run in the kernel").isGreaterThan(2000);
        assertThat(matches)
                .as("matches of '%s' (the corpus must exercise it)", expression)
                .isPositive();
    }

    private static void check(
            String expression,
            int index,
            String engine,
            boolean expected,
            boolean actual,
            CbpfProgram cbpf,
            Compilation compilation) {
        if (expected != actual) {
            fail(
                    "'%s', packet %d (%s): libpcap says %s, %s says %s%ncBPF:%n%s%nC:%n%s",
                    expression,
                    index,
                    corpus.get(index),
                    expected,
                    engine,
                    actual,
                    org.levee.cbpf.CbpfText.printListing(cbpf),
                    CEmitter.function(compilation, "f"));
        }
    }
}
