package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.levee.bench.DetectorBenchmark;
import org.levee.bench.Microbenchmark;
import org.levee.cli.common.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee bench detector [--destinations N,…] [--floods N,…] [JMH options]}: samples per second
 * of one detector on one thread (JMH), as a Markdown table.
 */
@Command(
        name = "detector",
        mixinStandardHelpOptions = true,
        description =
                "Samples per second one detector takes on one thread (JMH, one forked JVM per scenario): web and DNS"
                        + " traffic from the synthesiser to N hosts in 198.18.0.0/15 at 10 samples per host per simulated"
                        + " second, below every threshold (the steady-state cost: decode, rate windows, history, threshold"
                        + " and baseline checks); then with a quarter of the samples SYN floods on some hosts, re-matched"
                        + " against their drop rules. A simulated minute warms the detector's state first. Ratios are to"
                        + " the steady traffic to as many hosts, measured in the same run. The goal: 2 M per second with"
                        + " 10,000 hosts.")
public final class BenchDetectorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--destinations",
            split = ",",
            paramLabel = "N",
            description = "Hosts receiving traffic (default 10000; 100 keeps every host's state in the CPU caches).")
    int[] destinations = {10_000};

    @Option(
            names = "--floods",
            split = ",",
            paramLabel = "N",
            description = "Flooded hosts of each scenario (default 0,100; 0: steady traffic only).")
    int[] floods = {0, 100};

    @Mixin
    JmhOptions jmh;

    @Override
    public Integer call() {
        for (int d : destinations) {
            if (d < 1 || d > 130_048) {
                throw new UserException("--destinations " + d + " must be within 1..130048");
            }
            for (int f : floods) {
                if (f < 0 || f > d) {
                    throw new UserException("--floods " + f + " must be within 0.." + d + " (the destinations)");
                }
            }
        }
        Microbenchmark.Settings settings = jmh.settings(false);
        List<Microbenchmark.Score> scores = Microbenchmark.run(
                DetectorBenchmark.class,
                settings,
                Map.of("destinations", strings(destinations), "floods", strings(floods)));
        PrintWriter out = spec.commandLine().getOut();
        out.println("| destinations | flooded | samples per second | ns per sample | error | × steady |");
        out.println("|---:|---:|---:|---:|---:|---:|");
        for (Microbenchmark.Score score : scores) {
            String d = score.params().get("destinations");
            double steady = scores.stream()
                    .filter(s -> s.params().get("destinations").equals(d)
                            && s.params().get("floods").equals("0"))
                    .mapToDouble(Microbenchmark.Score::score)
                    .findFirst()
                    .orElse(Double.NaN);
            out.printf(
                    "| %,d | %s | %,.0f | %.0f | %s | %s |%n",
                    Integer.parseInt(d),
                    score.params().get("floods"),
                    score.score(),
                    score.nanosPerOperation(),
                    JmhOptions.error(score),
                    Double.isNaN(steady) ? "" : String.format("%.2f", score.score() / steady));
        }
        out.flush();
        return 0;
    }

    private static List<String> strings(int[] values) {
        return Arrays.stream(values).distinct().mapToObj(Integer::toString).toList();
    }
}
