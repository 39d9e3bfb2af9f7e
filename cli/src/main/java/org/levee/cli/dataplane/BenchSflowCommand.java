package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.levee.bench.Microbenchmark;
import org.levee.bench.SflowDecodeBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee bench sflow [--allocation] [JMH options]}: flow samples decoded per second (JMH), as a Markdown table. */
@Command(
        name = "sflow",
        mixinStandardHelpOptions = true,
        description =
                "Flow samples one thread decodes per second (JMH, one forked JVM per path): 20,000 sFlow datagrams"
                        + " built in memory as edges send them (1400 bytes, 7 flow samples of 128-byte Ethernet headers, 50"
                        + " agents, 10,000 destinations), on the collector's path (each datagram copied into one direct receive"
                        + " buffer and decoded there, the consumer reading each header's destination address) and through the"
                        + " record API; ratios to the collector's path, measured in the same run.")
public final class BenchSflowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--allocation",
            description = "Also measure bytes allocated per sample (JMH's GC profiler): 0 on the collector's path.")
    boolean allocation;

    @Mixin
    JmhOptions jmh;

    @Override
    public Integer call() {
        List<Microbenchmark.Score> scores =
                Microbenchmark.run(SflowDecodeBenchmark.class, jmh.settings(allocation), Map.of());
        double collector = scores.stream()
                .filter(s -> s.params().get("path").equals("collector"))
                .mapToDouble(Microbenchmark.Score::score)
                .findFirst()
                .orElse(Double.NaN);
        PrintWriter out = spec.commandLine().getOut();
        out.println("| path | samples per second | ns per sample | error | × collector |"
                + (allocation ? " bytes allocated per sample |" : ""));
        out.println("|---|---:|---:|---:|---:|" + (allocation ? "---:|" : ""));
        for (Microbenchmark.Score score : scores) {
            out.printf(
                    "| %s | %,.0f | %.1f | %s | %.2f |%s%n",
                    score.params().get("path"),
                    score.score(),
                    score.nanosPerOperation(),
                    JmhOptions.error(score),
                    score.score() / collector,
                    allocation ? String.format(" %.1f |", score.bytesPerOperation()) : "");
        }
        out.flush();
        return 0;
    }
}
