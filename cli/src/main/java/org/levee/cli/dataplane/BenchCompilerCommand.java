package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.levee.bench.CompilerBenchmark;
import org.levee.cli.common.UserException;
import org.levee.compiler.ReferenceFilters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee bench compiler [--repeat N] [--rounds N] [--packets N]}: the table of docs/compiler.md. */
@Command(
        name = "compiler",
        mixinStandardHelpOptions = true,
        description = "The fifteen reference filters compiled by Levee's cBPF → eBPF compiler: libpcap's cBPF length,"
                + " our fragment's instructions, cbpfc's, the kernel's translated length and JIT bytes of each filter"
                + " alone in an XDP program, and its ns per packet over an XDP_PASS floor program measured in the same"
                + " run (kernel test runs over corpus packets; floor and filter alternate, medians compared), as a"
                + " Markdown table (docs/compiler.md). Needs root and libpcap.")
public final class BenchCompilerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--repeat",
            paramLabel = "N",
            description = "Test-run repetitions per packet and measurement (default 100000).")
    int repeat = CompilerBenchmark.Options.DEFAULTS.repeat();

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "Floor/filter alternations per filter, whose medians are compared (default 5).")
    int rounds = CompilerBenchmark.Options.DEFAULTS.rounds();

    @Option(
            names = "--packets",
            paramLabel = "N",
            description = "Well-formed corpus packets of each measurement (default 17).")
    int packets = CompilerBenchmark.Options.DEFAULTS.packets();

    @Override
    public Integer call() {
        CompilerBenchmark.Options options;
        try {
            options = new CompilerBenchmark.Options(repeat, rounds, packets);
        } catch (IllegalArgumentException e) {
            throw new UserException("--repeat, --rounds, --packets: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("| # | filter | cBPF | ours | cbpfc | xlated | JIT bytes | ns/packet |");
        out.println("|---|---|---|---|---|---|---|---|");
        out.flush();
        List<CompilerBenchmark.Row> rows = CompilerBenchmark.run(options, row -> {
            out.printf(
                    "| %d | `%s` | %d | %d | %d | %d | %d | %.1f |%n",
                    row.filter().number(),
                    row.filter().expression().replace("|", "\\|"),
                    row.cbpfInsns(),
                    row.fragmentInsns(),
                    row.filter().cbpfcInsns(),
                    row.xlatedInsns(),
                    row.jitedBytes(),
                    row.nsOverFloor());
            out.flush();
        });
        int ours = rows.stream().mapToInt(CompilerBenchmark.Row::fragmentInsns).sum();
        out.printf("| | total | | %d | %d | | | |%n", ours, ReferenceFilters.CBPFC_TOTAL);
        out.printf(
                "%nXDP_PASS floor: %.1f ns per run (mean of the medians).%n",
                rows.stream()
                        .mapToDouble(CompilerBenchmark.Row::floorNs)
                        .average()
                        .orElse(Double.NaN));
        out.flush();
        if (ours > ReferenceFilters.OUR_LIMIT) {
            throw new UserException("our fragments total " + ours + " instructions, over the size contract's "
                    + ReferenceFilters.OUR_LIMIT + " (docs/compiler.md)");
        }
        return 0;
    }
}
