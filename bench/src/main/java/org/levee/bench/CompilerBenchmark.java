package org.levee.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.compiler.CbpfCompiler;
import org.levee.compiler.ReferenceFilters;
import org.levee.compiler.XdpFilterProgram;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramInfo;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Register;

/**
 * The table of docs/compiler.md ({@code levee bench compiler}): for the fifteen {@link
 * ReferenceFilters}, the cBPF size, our fragment, cbpfc's, the kernel's translated size and JIT
 * bytes, and the time per packet as the difference to an XDP_PASS floor program measured in the
 * same run. Times are the kernel's own (BPF_PROG_TEST_RUN duration with a large repeat), averaged
 * over the first well-formed packets of the default {@link PacketCorpus}; floor and filter
 * alternate for several rounds and their medians are compared, because runs drift by a few ns.
 * Not a JMH benchmark: the clock is the kernel's, not the JVM's. Needs root and libpcap.
 */
public final class CompilerBenchmark {
    private CompilerBenchmark() {}

    /**
     * What to run.
     *
     * @param repeat test-run repetitions per packet and measurement
     * @param rounds floor/filter alternations per filter (the medians are compared)
     * @param packets well-formed corpus packets each measurement runs over
     */
    public record Options(int repeat, int rounds, int packets) {
        /** The figures of docs/compiler.md: 100,000 repetitions, 5 rounds, 17 packets. */
        public static final Options DEFAULTS = new Options(100_000, 5, 17);

        public Options {
            if (repeat < 1 || repeat > 100_000_000) {
                throw new IllegalArgumentException("repeat " + repeat + " must be within 1..100000000");
            }
            if (rounds < 1 || rounds > 101) {
                throw new IllegalArgumentException("rounds " + rounds + " must be within 1..101");
            }
            if (packets < 1 || packets > 1000) {
                throw new IllegalArgumentException("packets " + packets + " must be within 1..1000");
            }
        }
    }

    /**
     * One filter's row.
     *
     * @param filter the reference filter
     * @param cbpfInsns libpcap's cBPF program's length
     * @param fragmentInsns our fragment's instructions
     * @param xlatedInsns the kernel's translated length of the whole single-filter program
     * @param jitedBytes that program's JIT code in bytes
     * @param floorNs the XDP_PASS floor (median of the rounds), ns per run
     * @param filterNs the filter program (median of the rounds), ns per run
     */
    public record Row(
            ReferenceFilters.Filter filter,
            int cbpfInsns,
            int fragmentInsns,
            int xlatedInsns,
            int jitedBytes,
            double floorNs,
            double filterNs) {
        /** The filter's cost over the floor, ns per packet. */
        public double nsOverFloor() {
            return filterNs - floorNs;
        }
    }

    /** Measures the fifteen filters in order, handing each row to {@code report} as it is measured. */
    public static List<Row> run(Options options, Consumer<Row> report) {
        List<byte[]> packets = PacketCorpus.wellFormed(PacketCorpus.DEFAULT_SEED, options.packets()).stream()
                .map(PacketCorpus.Packet::data)
                .toList();
        Assembler floorAsm =
                new Assembler().emit(Instruction.mov32(Register.R0, XdpFilterProgram.XDP_PASS), Instruction.exit());
        List<Row> rows = new ArrayList<>();
        try (Program floor =
                Program.load(ProgramSpec.xdp("levee_floor", floorAsm.assemble().encode()))) {
            for (ReferenceFilters.Filter filter : ReferenceFilters.ALL) {
                CbpfProgram cbpf = Libpcap.compile(filter.expression(), LinkType.EN10MB);
                XdpFilterProgram xdp = XdpFilterProgram.of(CbpfCompiler.compile(cbpf));
                try (Program program = xdp.load("levee_bench")) {
                    ProgramInfo info = program.info();
                    double[] floorRuns = new double[options.rounds()];
                    double[] filterRuns = new double[options.rounds()];
                    for (int round = 0; round < options.rounds(); round++) {
                        floorRuns[round] = nanosPerRun(floor, packets, options.repeat());
                        filterRuns[round] = nanosPerRun(program, packets, options.repeat());
                    }
                    Row row = new Row(
                            filter,
                            cbpf.size(),
                            xdp.fragmentInsns(),
                            info.xlatedLength() / 8,
                            info.jitedLength(),
                            median(floorRuns),
                            median(filterRuns));
                    rows.add(row);
                    report.accept(row);
                }
            }
        }
        return rows;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Mean kernel-measured nanoseconds per run over the packets. */
    private static double nanosPerRun(Program program, List<byte[]> packets, int repeat) {
        long total = 0;
        for (byte[] packet : packets) {
            total += program.testRun(TestRun.of(packet).withRepeat(repeat).withDataOutCapacity(0))
                    .durationNanos();
        }
        return (double) total / packets.size();
    }
}
