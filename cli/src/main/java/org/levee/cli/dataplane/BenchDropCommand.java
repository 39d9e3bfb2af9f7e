package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
                        + " with bare XDP_DROP (the floor, measured again first in each round), Levee's data plane (100 and 10,000 rules), nftables netdev ingress, nftables"
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

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "3",
            description = "times every mechanism is measured, the floor again first in each round; the table gives the"
                    + " medians (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--only",
            paramLabel = "MECHANISM",
            split = ",",
            description = "measure only these besides the floor (comma-separated): floor, levee-100-first,"
                    + " levee-100-last, levee-10000-last, nft-netdev, nft-raw, iptables-raw, closed-port"
                    + " (default: all)")
    List<String> only = List.of();

    @Override
    public Integer call() throws Exception {
        DropBenchmark.Options options;
        try {
            options = new DropBenchmark.Options(rate, seconds, legit, rounds, Set.copyOf(only));
        } catch (IllegalArgumentException e) {
            throw new UserException("--rate, --seconds, --legit, --rounds, --only: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        double[] floor = {Double.NaN};
        String[] floorName = {null}; // the first mechanism measured; each round starts with it
        List<DropBenchmark.Row> rows = DropBenchmark.run(
                options,
                line -> {
                    out.println(line);
                    out.flush();
                },
                row -> {
                    if (floorName[0] == null) {
                        floorName[0] = row.mechanism();
                    }
                    if (row.mechanism().equals(floorName[0])) {
                        floor[0] = row.nanosPerDrop();
                    }
                    out.printf(
                            Locale.ROOT,
                            "round %d of %d: %s: %.0f ns/packet, %.2f× the floor of this round, %,d dropped%n",
                            row.round() + 1,
                            rounds,
                            row.mechanism(),
                            row.nanosPerDrop(),
                            row.nanosPerDrop() / floor[0],
                            row.dropped());
                    out.flush();
                });
        out.println();
        out.printf(
                Locale.ROOT,
                "Medians of %d round%s (× floor: the median of each round's ratio to that round's floor, and the"
                        + " smallest and largest of them):%n%n",
                rounds,
                rounds == 1 ? "" : "s");
        out.println(
                "| mechanism | offered pps | dropped (its counter) | receiver ns/packet | × floor | legit delivered |");
        out.println("|---|---:|---:|---:|---:|---:|");
        for (DropBenchmark.Summary s : DropBenchmark.summarize(rows)) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %,.0f | %,d | %.0f | %.2f× (%.2f–%.2f) | %,d of %,d |%n",
                    s.mechanism(),
                    s.offeredPps(),
                    s.dropped(),
                    s.medianNanos(),
                    s.medianRatio(),
                    s.minRatio(),
                    s.maxRatio(),
                    s.legitDelivered(),
                    s.legitSent());
        }
        out.flush();
        return rows.isEmpty() ? 1 : 0;
    }
}
