package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.testing.PacketCorpus;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramInfo;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Register;
import org.levee.testing.Requirements;

/**
 * The table of docs/compiler.md: for the fifteen reference filters, cBPF size, our fragment,
 * cbpfc's, the kernel's translated size and JIT bytes, and the time per packet as the
 * difference to an XDP_PASS floor program measured in the same run (the kernel's
 * BPF_PROG_TEST_RUN duration with a large repeat, averaged over a fixed set of corpus packets;
 * floor and filter alternate for five rounds and their medians are compared).
 * Not part of CI; run with
 * {@code mvn -B -q -pl compiler -am verify -Dtest=CompilerBenchmark -Dlevee.compiler.bench=true -Dsurefire.failIfNoSpecifiedTests=false};
 * the table goes to stdout and compiler/target/compiler-bench.md.
 */
@EnabledIfSystemProperty(named = "levee.compiler.bench", matches = "true")
class CompilerBenchmark {
    private static final int REPEAT = 100_000;
    private static final int ROUNDS = 5;

    @Test
    void table() throws Exception {
        Requirements.root();
        List<byte[]> packets = PacketCorpus.wellFormed(PacketCorpus.DEFAULT_SEED, 17).stream()
                .map(PacketCorpus.Packet::data)
                .toList();
        Assembler floorAsm =
                new Assembler().emit(Instruction.mov32(Register.R0, XdpFilterProgram.XDP_PASS), Instruction.exit());
        StringBuilder table = new StringBuilder();
        table.append("| # | filter | cBPF | ours | cbpfc | xlated | JIT bytes | ns/packet |\n");
        table.append("|---|---|---|---|---|---|---|---|\n");
        int ours = 0;
        double floorTotal = 0;
        try (Program floor =
                Program.load(ProgramSpec.xdp("levee_floor", floorAsm.assemble().encode()))) {
            for (ReferenceFilters.Filter filter : ReferenceFilters.ALL) {
                CbpfProgram cbpf = Libpcap.compile(filter.expression(), LinkType.EN10MB);
                XdpFilterProgram xdp = XdpFilterProgram.of(CbpfCompiler.compile(cbpf));
                ours += xdp.fragmentInsns();
                try (Program program = xdp.load("levee_bench")) {
                    ProgramInfo info = program.info();
                    // Alternate floor and filter and compare medians: runs drift by a few ns.
                    double[] floorRuns = new double[ROUNDS];
                    double[] filterRuns = new double[ROUNDS];
                    for (int round = 0; round < ROUNDS; round++) {
                        floorRuns[round] = nanosPerRun(floor, packets);
                        filterRuns[round] = nanosPerRun(program, packets);
                    }
                    double floorNs = median(floorRuns);
                    double filterNs = median(filterRuns);
                    floorTotal += floorNs;
                    table.append(String.format(
                            "| %d | `%s` | %d | %d | %d | %d | %d | %.1f |%n",
                            filter.number(),
                            filter.expression().replace("|", "\\|"),
                            cbpf.size(),
                            xdp.fragmentInsns(),
                            filter.cbpfcInsns(),
                            info.xlatedLength() / 8,
                            info.jitedLength(),
                            filterNs - floorNs));
                }
            }
        }
        table.append(String.format("| | total | | %d | %d | | | |%n", ours, ReferenceFilters.CBPFC_TOTAL));
        table.append(String.format(
                "%nXDP_PASS floor: %.1f ns per run (mean of the medians).%n",
                floorTotal / ReferenceFilters.ALL.size()));
        System.out.print(table);
        Path out = Path.of("target", "compiler-bench.md");
        Files.writeString(out, table);
        assertThat(ours).isLessThanOrEqualTo(ReferenceFilters.OUR_LIMIT);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Mean kernel-measured nanoseconds per run over the packets. */
    private static double nanosPerRun(Program program, List<byte[]> packets) {
        long total = 0;
        for (byte[] packet : packets) {
            total += program.testRun(TestRun.of(packet).withRepeat(REPEAT).withDataOutCapacity(0))
                    .durationNanos();
        }
        return (double) total / packets.size();
    }
}
