package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.levee.bench.ControllerBenchmark;
import org.levee.cli.common.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee bench controller [--seconds S] [--destinations N] [--floods N]}: packet samples per
 * CPU-second through the controller's path on one thread, against the detector alone, as a
 * Markdown table.
 */
@Command(
        name = "controller",
        mixinStandardHelpOptions = true,
        description =
                "Samples per CPU-second of one thread through the controller's path (sFlow datagrams built in memory,"
                        + " decoded in place, turned into detector samples, the one detector behind its lock) and through the detector"
                        + " alone, fed the same samples, in the same run; steady traffic to N destinations, then with SYN floods.")
public final class BenchControllerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S", description = "How long each path is measured (default 5).")
    double seconds = 5;

    @Option(names = "--destinations", paramLabel = "N", description = "Destinations of the traffic (default 10000).")
    int destinations = 10_000;

    @Option(
            names = "--floods",
            paramLabel = "N",
            description = "Flooded destinations of the second scenario (default 5; 0: none).")
    int floods = 5;

    @Option(
            names = "--warmup",
            paramLabel = "SAMPLES",
            description = "Samples before measuring (default: a simulated minute of the traffic, at least 3 million).")
    long warmup;

    @Override
    public Integer call() {
        ControllerBenchmark.Options options;
        try {
            options = new ControllerBenchmark.Options(seconds, destinations, floods, warmup);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("| scenario | path | samples per CPU-second | ns per sample | vs detector alone | rules |");
        out.println("|---|---|---:|---:|---:|---:|");
        out.flush();
        ControllerBenchmark.run(options, row -> {
            out.printf(
                    "| %s | %s | %,.0f | %.0f | %.2f | %d |%n",
                    row.scenario(),
                    row.path(),
                    row.perCpuSecond(),
                    row.nanosPerSample(),
                    row.vsDetector(),
                    row.rules());
            out.flush();
        });
        return 0;
    }
}
