package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.levee.bench.DropBenchmark;
import org.levee.cli.common.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee bench drop}: CPU time per dropped packet, Levee against bare XDP_DROP and netfilter, as a Markdown table. */
@Command(
        name = "drop",
        mixinStandardHelpOptions = true,
        description =
                "What one dropped packet costs the receiving CPU: a flood of 64-byte UDP frames redirected in XDP by a"
                        + " hop into a veth whose threaded NAPI thread runs alone on CPU 1; that thread's CPU time per dropped packet"
                        + " with bare XDP_DROP (the floor), Levee's data plane (100 and 10,000 rules), nftables netdev ingress, nftables"
                        + " inet prerouting at raw priority, iptables raw PREROUTING, and no rule at all; ratios to the floor, each"
                        + " mechanism's own drop counter, and legitimate UDP requests delivered meanwhile. Needs root, 2 CPUs, nft and"
                        + " iptables. Removes everything at the end, also on Ctrl-C.")
public final class BenchDropCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--rate",
            paramLabel = "PPS",
            defaultValue = "500000",
            description =
                    "flood packets per second (default ${DEFAULT-VALUE}: within what the generator and the hop sustain)")
    long rate;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            defaultValue = "5",
            description = "measured seconds per mechanism (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(
            names = "--legit",
            paramLabel = "N",
            defaultValue = "1000",
            description = "legitimate UDP requests per second to the sink's service (default ${DEFAULT-VALUE})")
    long legit;

    @Override
    public Integer call() throws Exception {
        DropBenchmark.Options options;
        try {
            options = new DropBenchmark.Options(rate, seconds, legit);
        } catch (IllegalArgumentException e) {
            throw new UserException("--rate, --seconds, --legit: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        double[] floor = {Double.NaN};
        List<DropBenchmark.Row> rows = DropBenchmark.run(
                options,
                line -> {
                    out.println(line);
                    out.flush();
                },
                row -> {
                    if (Double.isNaN(floor[0])) {
                        floor[0] = row.nanosPerDrop();
                        out.println();
                        out.println(
                                "| mechanism | offered pps | dropped (its counter) | receiver ns/packet | × floor | legit delivered |");
                        out.println("|---|---:|---:|---:|---:|---:|");
                    }
                    out.printf(
                            Locale.ROOT,
                            "| %s | %,.0f | %,d | %.0f | %.2f× | %,d of %,d |%n",
                            row.mechanism(),
                            row.offeredPps(),
                            row.dropped(),
                            row.nanosPerDrop(),
                            row.nanosPerDrop() / floor[0],
                            row.legit().delivered(),
                            row.legit().sent());
                    out.flush();
                });
        return rows.isEmpty() ? 1 : 0;
    }
}
