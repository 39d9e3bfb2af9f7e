package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.levee.bench.DataplaneBenchmark;
import org.levee.cli.common.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee bench dataplane [--sizes 0,1,10,…] [--repeat N]}: ns per packet, as a Markdown table. */
@Command(
        name = "dataplane",
        mixinStandardHelpOptions = true,
        description =
                "ns/packet of the data-plane program (kernel test-run duration minus an XDP_PASS floor measured in"
                        + " the same run) for rule sets of 'udp and dst port N' rules: disabled, enabled without a match, matching"
                        + " the last rule; with enablement from patched constants and, for comparison, from a map; rules of five"
                        + " shapes in turn, enabled without a match and matching the last; the sampler; rate limiting. Needs root.")
public final class BenchDataplaneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--sizes",
            split = ",",
            paramLabel = "N",
            description = "rule-set sizes (default 0,1,10,100,1000,10000)")
    int[] sizes = {0, 1, 10, 100, 1000, 10_000};

    @Option(names = "--repeat", paramLabel = "N", description = "test-run repetitions per measurement (default 20000)")
    int repeat = 20_000;

    @Override
    public Integer call() {
        if (repeat < 1) {
            throw new UserException("--repeat " + repeat + " must be at least 1");
        }
        if (Arrays.stream(sizes).anyMatch(s -> s < 0 || s > 30_000)) {
            throw new UserException("--sizes " + Arrays.toString(sizes) + ": each size must be within 0..30000");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("| scenario | rules | ns/packet | floor ns |");
        out.println("|---|---:|---:|---:|");
        out.flush();
        try {
            DataplaneBenchmark.run(sizes, repeat, row -> {
                out.printf("| %s | %d | %d | %d |%n", row.scenario(), row.rules(), row.nsPerPacket(), row.floorNs());
                out.flush();
            });
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage() + " (how many rules fit: docs/dataplane.md, Large rule sets)");
        }
        return 0;
    }
}
