package org.levee.cli.dataplane;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.levee.bench.Microbenchmark;
import org.levee.cli.common.UserException;
import picocli.CommandLine.Option;

/** How JMH runs the microbenchmarks of {@code levee bench detector} and {@code levee bench sflow}. */
final class JmhOptions {
    @Option(
            names = "--forks",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "JVMs forked per scenario, each measured on its own (default ${DEFAULT-VALUE}; 0: in this JVM,"
                            + " where the scenarios share one JIT profile).")
    int forks;

    @Option(
            names = "--warmup-iterations",
            paramLabel = "N",
            defaultValue = "3",
            description = "Iterations run and discarded first (default ${DEFAULT-VALUE}).")
    int warmupIterations;

    @Option(
            names = "--warmup-seconds",
            paramLabel = "S",
            defaultValue = "2",
            description = "Length of each warm-up iteration (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(
            names = "--iterations",
            paramLabel = "N",
            defaultValue = "5",
            description = "Measured iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            defaultValue = "2",
            description = "Length of each measured iteration (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(
            names = "--jvm-args",
            paramLabel = "ARGS",
            defaultValue = "-XX:+UseSerialGC --enable-native-access=ALL-UNNAMED",
            description = "Options of the forked JVMs, separated by spaces (default: ${DEFAULT-VALUE}, the collector"
                    + " the levee launcher runs with; -XX:+UseG1GC for the JVM's default).")
    String jvmArgs;

    @Option(names = "--quiet", description = "Leave out JMH's progress (otherwise on stderr).")
    boolean quiet;

    Microbenchmark.Settings settings(boolean allocation) {
        if (!(warmupSeconds >= 0 && warmupSeconds <= 3600) || !(seconds > 0 && seconds <= 3600)) {
            throw new UserException("--warmup-seconds " + warmupSeconds + " must be within 0..3600 and --seconds "
                    + seconds + " within (0, 3600]");
        }
        List<String> args = Arrays.stream(jvmArgs.strip().split("\\s+"))
                .filter(a -> !a.isEmpty())
                .toList();
        try {
            return new Microbenchmark.Settings(
                    forks,
                    warmupIterations,
                    Duration.ofMillis(Math.round(warmupSeconds * 1000)),
                    iterations,
                    Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))),
                    args,
                    allocation,
                    quiet ? null : "/dev/stderr");
        } catch (IllegalArgumentException e) {
            throw new UserException("--forks, --warmup-iterations, --iterations: " + e.getMessage());
        }
    }

    /** {@code ± x %} for JMH's confidence interval, or nothing when there were too few iterations for one. */
    static String error(Microbenchmark.Score score) {
        return Double.isFinite(score.error()) ? String.format("± %.1f %%", 100 * score.error() / score.score()) : "";
    }
}
