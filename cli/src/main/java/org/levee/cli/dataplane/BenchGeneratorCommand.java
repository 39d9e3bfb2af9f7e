package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.levee.bench.GeneratorBenchmark;
import org.levee.cli.common.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee bench generator [--seconds S]}: the lab's flood generators' packet rates, as a Markdown table. */
@Command(
        name = "generator",
        mixinStandardHelpOptions = true,
        description =
                "Packets per second of each flood generator of the lab (socket: AF_XDP; live: XDP live frames, where"
                        + " the kernel allows them), 64-byte UDP frames as fast as it can, unpinned and pinned to each CPU, into a veth"
                        + " pair with a native XDP_DROP sink and through the demo lab's router hop; with the CPU time all CPUs used"
                        + " and the ratio to the first row. Needs root.")
public final class BenchGeneratorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            defaultValue = "3",
            description = "seconds per measurement (default ${DEFAULT-VALUE})")
    double seconds;

    @Override
    public Integer call() throws Exception {
        if (!(seconds >= 0.5 && seconds <= 60)) {
            throw new UserException("--seconds " + seconds + " must be within 0.5..60");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(
                "| generator | path | sender CPU | offered pps | arrived pps | busy CPUs | pps per busy CPU | ratio |");
        out.println("|---|---|---|---:|---:|---:|---:|---:|");
        out.flush();
        double[] baseline = {0};
        List<GeneratorBenchmark.Row> rows = GeneratorBenchmark.run(seconds, row -> {
            if (!row.refusal().isEmpty()) {
                out.printf(
                        "| %s | — | — | refused: %s | | | | |%n",
                        row.generator().id(), row.refusal());
            } else {
                if (baseline[0] == 0) {
                    baseline[0] = row.offeredPps();
                }
                out.printf(
                        Locale.ROOT,
                        "| %s | %s | %s | %,.0f | %,.0f | %.2f | %,.0f | %.2f× |%n",
                        row.generator().id(),
                        row.path(),
                        row.cpu() < 0 ? "any" : "CPU " + row.cpu(),
                        row.offeredPps(),
                        row.arrivedPps(),
                        row.busyCpus(),
                        row.ppsPerBusyCpu(),
                        row.offeredPps() / baseline[0]);
            }
            out.flush();
        });
        return rows.isEmpty() ? 1 : 0;
    }
}
