package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.levee.bench.RulesetBenchmark;
import org.levee.cli.common.UserException;
import org.levee.dataplane.program.ProgramLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee bench ruleset [--rules 100,1000,10000] [--shapes port,mixed] [--changes N] [--no-api]}: a Markdown table. */
@Command(
        name = "ruleset",
        mixinStandardHelpOptions = true,
        description =
                "How long one rule added or removed takes to be in force, for rule sets of each size (port rules and five"
                        + " mixed shapes): the incremental compile, the load, the swap, and the whole, on a veth in a namespace; the"
                        + " same through the agent's HTTP API until the new program is attached; a full compile of the same sets as"
                        + " the baseline measured in the same run (p50, p90, and p50 as a fraction of the full compile's). Needs root.")
public final class BenchRulesetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rules", split = ",", paramLabel = "N", description = "rule-set sizes (default 100,1000,10000)")
    int[] sizes = {100, 1000, 10_000};

    @Option(
            names = "--shapes",
            split = ",",
            paramLabel = "SHAPE",
            description = "port, mixed or both (default port,mixed)")
    List<String> shapes = List.of("port", "mixed");

    @Option(names = "--changes", paramLabel = "N", description = "rules added and removed per size, each (default 20)")
    int changes = 20;

    @Option(names = "--no-api", negatable = false, description = "skip the agent's API")
    boolean noApi;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the rules removed (default 1)")
    long seed = 1;

    @Override
    public Integer call() {
        if (changes < 1) {
            throw new UserException("--changes " + changes + " must be at least 1");
        }
        if (Arrays.stream(sizes).anyMatch(s -> s < 1 || s > ProgramLimits.MAX_RULES - changes)) {
            throw new UserException("--rules " + Arrays.toString(sizes) + ": each size must be within 1.."
                    + (ProgramLimits.MAX_RULES - changes));
        }
        List<RulesetBenchmark.Shape> chosen =
                shapes.stream().map(BenchRulesetCommand::shape).distinct().toList();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.println("| shape | rules | step | n | p50 ms | p90 ms | p50 / full compile |");
        out.println("|---|---:|---|---:|---:|---:|---:|");
        out.flush();
        try {
            RulesetBenchmark.run(
                    new RulesetBenchmark.Options(sizes, chosen, changes, !noApi, seed),
                    note -> {
                        err.println("levee bench ruleset: " + note);
                        err.flush();
                    },
                    row -> {
                        out.printf(
                                Locale.ROOT,
                                "| %s | %d | %s | %d | %.1f | %.1f | %s |%n",
                                row.shape().keyword(),
                                row.rules(),
                                row.step().label(),
                                row.samples(),
                                row.p50().toNanos() / 1e6,
                                row.p90().toNanos() / 1e6,
                                Double.isNaN(row.ofFull()) ? "1" : String.format(Locale.ROOT, "%.3f", row.ofFull()));
                        out.flush();
                    });
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        return 0;
    }

    private static RulesetBenchmark.Shape shape(String keyword) {
        return Arrays.stream(RulesetBenchmark.Shape.values())
                .filter(s -> s.keyword().equals(keyword))
                .findFirst()
                .orElseThrow(() -> new UserException("--shapes: '" + keyword + "' is not port or mixed"));
    }
}
