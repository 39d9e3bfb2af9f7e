package org.levee.bench;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs one of this module's JMH microbenchmarks ({@link DetectorBenchmark}, {@link
 * SflowDecodeBenchmark}) through JMH's own runner and hands back one score per parameter
 * combination, in the order JMH ran them.
 */
public final class Microbenchmark {
    private Microbenchmark() {}

    /** JVM options of the forked JVMs unless told otherwise: the collector the {@code levee} launcher runs with. */
    public static final List<String> DEFAULT_JVM_ARGS =
            List.of("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED");

    /**
     * How JMH runs a benchmark.
     *
     * @param forks JVMs forked per parameter combination; 0 runs in this JVM (quick, but the
     *     combinations share one JIT profile)
     * @param warmupIterations iterations run and discarded first
     * @param warmup length of each of them
     * @param iterations measured iterations
     * @param measurement length of each of them
     * @param jvmArgs options of the forked JVMs
     * @param allocation add JMH's GC profiler: bytes allocated per operation
     * @param progress where JMH writes its progress ({@code null}: nowhere)
     */
    public record Settings(
            int forks,
            int warmupIterations,
            Duration warmup,
            int iterations,
            Duration measurement,
            List<String> jvmArgs,
            boolean allocation,
            String progress) {
        public Settings {
            if (forks < 0 || forks > 20) {
                throw new IllegalArgumentException("forks " + forks + " must be within 0..20");
            }
            if (warmupIterations < 0 || iterations < 1) {
                throw new IllegalArgumentException("warm-up iterations " + warmupIterations
                        + " must be at least 0 and measured iterations " + iterations + " at least 1");
            }
            if (warmup.isNegative() || measurement.isNegative() || measurement.isZero()) {
                throw new IllegalArgumentException(
                        "warm-up " + warmup + " must not be negative and measurement " + measurement + " positive");
            }
            jvmArgs = List.copyOf(jvmArgs);
        }
    }

    /**
     * The score of one parameter combination.
     *
     * @param params the benchmark's parameters, by name
     * @param score mean operations per second over the measured iterations
     * @param error half-width of JMH's 99.9 % confidence interval (NaN with too few iterations)
     * @param bytesPerOperation allocated bytes per operation (NaN unless {@link Settings#allocation()})
     */
    public record Score(Map<String, String> params, double score, double error, double bytesPerOperation) {
        public Score {
            params = Map.copyOf(params);
        }

        /** Nanoseconds per operation. */
        public double nanosPerOperation() {
            return 1e9 / score;
        }
    }

    /**
     * Runs every {@code @Benchmark} method of {@code benchmark} once per combination of {@code params}
     * (each name to its values; a name left out keeps the values of its {@code @Param}).
     *
     * @throws IllegalStateException when JMH fails (a fork did not start, the benchmark threw), with JMH's reason
     */
    public static List<Score> run(Class<?> benchmark, Settings settings, Map<String, List<String>> params) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                .forks(settings.forks())
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(settings.warmup().toMillis()))
                .measurementIterations(settings.iterations())
                .measurementTime(TimeValue.milliseconds(settings.measurement().toMillis()))
                .jvmArgs(settings.jvmArgs().toArray(String[]::new))
                .shouldFailOnError(true)
                .verbosity(settings.progress() == null ? VerboseMode.SILENT : VerboseMode.NORMAL);
        if (settings.progress() != null) {
            options.output(settings.progress());
        }
        if (settings.allocation()) {
            options.addProfiler(GCProfiler.class);
        }
        params.forEach((name, values) -> options.param(name, values.toArray(String[]::new)));
        Collection<RunResult> results;
        try {
            results = onClassPathForForks(() -> new Runner(options.build()).run());
        } catch (RunnerException e) {
            throw new IllegalStateException(
                    "JMH run of " + benchmark.getSimpleName() + " failed: " + e.getMessage(), e);
        }
        List<Score> scores = new ArrayList<>();
        for (RunResult result : results) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : result.getParams().getParamsKeys()) {
                values.put(key, result.getParams().getParam(key));
            }
            Result<?> primary = result.getPrimaryResult();
            Result<?> allocated = result.getSecondaryResults().get("gc.alloc.rate.norm");
            scores.add(new Score(
                    values,
                    primary.getScore(),
                    primary.getScoreError(),
                    allocated == null ? Double.NaN : allocated.getScore()));
        }
        return scores;
    }

    private static String asClassPath(String modulePath) {
        List<String> entries = new ArrayList<>();
        for (String entry : modulePath.split(File.pathSeparator)) {
            File[] jars = new File(entry).listFiles((dir, name) -> name.endsWith(".jar"));
            entries.add(jars != null && jars.length > 0 ? entry + File.separator + "*" : entry);
        }
        return String.join(File.pathSeparator, entries);
    }

    private interface RunnerCall {
        Collection<RunResult> run() throws RunnerException;
    }

    /**
     * JMH starts each fork with {@code -cp} set to this JVM's class path. The {@code levee}
     * launcher runs on the module path, where that property is empty: the forks get the module
     * path's jars on their class path instead (where tests run them, in the unnamed module); a
     * directory of jars becomes {@code dir/*}, which the java launcher expands.
     */
    private static Collection<RunResult> onClassPathForForks(RunnerCall call) throws RunnerException {
        String classPath = System.getProperty("java.class.path", "");
        String modulePath = System.getProperty("jdk.module.path", "");
        boolean swap = classPath.isEmpty() && !modulePath.isEmpty();
        if (swap) {
            System.setProperty("java.class.path", asClassPath(modulePath));
        }
        try {
            return call.run();
        } finally {
            if (swap) {
                System.setProperty("java.class.path", classPath);
            }
        }
    }
}
