package org.levee.testing.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Runs a {@link FuzzFamily}: first every seed (each must be accepted), then mutants — a seed, or
 * now and then an accepted mutant kept in a small pool, put through one to five rounds of the
 * family's {@link Mutator} — until the number of inputs is reached. Every input is accepted,
 * rejected with a documented error whose message keeps its promise, or a {@link Crash}. Crashes
 * are grouped by kind, exception type and place; the first input of each is minimized (at most
 * 2,000 runs or 5 s) and stored under {@code target/fuzz/<family>/}. Retained heap is checked ten
 * times per run ({@link HeapTrend}). A run is deterministic for a given seed and number of inputs.
 *
 * <p>The inputs run on a worker thread; the caller's thread watches it, and abandons the run when
 * one input has not returned after ten times the family's time limit (at least 3 s; the worker, a
 * daemon, is interrupted and left behind). An input over the family's time limit is run again, and
 * is a crash only when it is over the limit twice: this machine is shared, and a pause of the
 * whole JVM is not the parser's doing.
 *
 * <p>How many inputs: the system property {@value #INPUTS_PROPERTY} (default {@value #CI_INPUTS},
 * the CI slice; the {@code fuzz} Maven profile sets 1,000,000). The seed: {@value #SEED_PROPERTY}
 * (default {@value #DEFAULT_SEED}).
 */
public final class FuzzRunner {
    public static final String INPUTS_PROPERTY = "levee.fuzz.inputs";
    public static final String SEED_PROPERTY = "levee.fuzz.seed";
    /** The CI slice: inputs per family when nothing is configured. */
    public static final long CI_INPUTS = 10_000;

    public static final long DEFAULT_SEED = 17;

    private static final int HEAP_CHECKS = 10;
    private static final int MIN_HEAP_INTERVAL = 500;
    private static final int POOL_SIZE = 32;
    private static final int POOL_MAX_INPUT = 4096;
    private static final int MAX_DISTINCT_CRASHES = 16;
    private static final int MINIMIZER_RUNS = 2_000;
    private static final long MINIMIZER_NANOS = 5_000_000_000L;
    private static final int DESCRIBE_MAX = 2_000;
    private static final Path OUTPUT = Path.of("target", "fuzz");
    private static final Duration MIN_HANG_LIMIT = Duration.ofSeconds(3);

    private FuzzRunner() {}

    /** Inputs per family: {@value #INPUTS_PROPERTY}, else {@value #CI_INPUTS}. */
    public static long configuredInputs() {
        long inputs = Long.getLong(INPUTS_PROPERTY, CI_INPUTS);
        if (inputs < 1) {
            throw new IllegalArgumentException(INPUTS_PROPERTY + " must be positive, got " + inputs);
        }
        return inputs;
    }

    /** The seed: {@value #SEED_PROPERTY}, else {@value #DEFAULT_SEED}. */
    public static long configuredSeed() {
        return Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
    }

    /** Runs {@code family} with the configured seed and number of inputs, and prints its summary. */
    public static <I> FuzzReport run(FuzzFamily<I> family) {
        return run(family, configuredSeed(), configuredInputs());
    }

    /**
     * Runs {@code inputs} inputs of {@code family} from {@code seed}, prints the summary line and
     * appends it to {@code target/fuzz/summary.txt}.
     */
    public static <I> FuzzReport run(FuzzFamily<I> family, long seed, long inputs) {
        FuzzReport report = new Run<>(family, seed, inputs).execute();
        System.out.println(report.summary());
        try {
            Files.createDirectories(OUTPUT);
            Files.writeString(
                    OUTPUT.resolve("summary.txt"),
                    report.summary() + System.lineSeparator(),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + OUTPUT.resolve("summary.txt"), e);
        }
        return report;
    }

    /** How long one input may run before the run is abandoned as hung. */
    static Duration hangLimit(FuzzFamily<?> family) {
        Duration tenTimes = family.timeLimit().multipliedBy(10);
        return tenTimes.compareTo(MIN_HANG_LIMIT) > 0 ? tenTimes : MIN_HANG_LIMIT;
    }

    /** The outcome of one execution. */
    private enum Verdict {
        ACCEPTED,
        REJECTED,
        UNDOCUMENTED,
        BAD_MESSAGE
    }

    private record Result(Verdict verdict, Throwable error, String problem, long nanos) {
        Crash.Kind crashKind() {
            return verdict == Verdict.BAD_MESSAGE ? Crash.Kind.BAD_MESSAGE : Crash.Kind.UNDOCUMENTED_ERROR;
        }

        String signature() {
            return verdict + " " + error.getClass().getName() + " @ " + Run.firstOwnFrame(error);
        }
    }

    /** A crash being collected: its record so far and its count. */
    private static final class Found {
        Crash crash;
        long count;
    }

    private static final class Run<I> {
        private final FuzzFamily<I> family;
        private final InputKind<I> kind;
        private final long seed;
        private final long inputs;
        private final long timeLimitNanos;
        private final long heapInterval;
        private final Path directory;
        private final List<I> pool = new ArrayList<>();
        private final Map<String, Found> found = new LinkedHashMap<>();
        private final List<HeapTrend.Sample> heap = new ArrayList<>();
        private FileChannel lastInput;
        private long accepted;
        private long rejected;
        private long crashInputs;
        private long slowOnce;
        private long done;
        private int poolNext;
        private FuzzReport.Slowest slowest = FuzzReport.Slowest.NONE;

        private volatile long currentStart;
        private volatile I currentInput;
        private volatile long currentIndex;
        private volatile boolean stopped;
        private volatile Throwable failure;

        Run(FuzzFamily<I> family, long seed, long inputs) {
            this.family = family;
            this.kind = family.kind();
            this.seed = seed;
            this.inputs = inputs;
            this.timeLimitNanos = family.timeLimit().toNanos();
            this.heapInterval = Math.max(MIN_HEAP_INTERVAL, inputs / HEAP_CHECKS);
            this.directory = OUTPUT.resolve(family.slug());
        }

        FuzzReport execute() {
            long started = System.nanoTime();
            Thread worker = Thread.ofPlatform()
                    .name("fuzz " + family.name())
                    .daemon(true)
                    .unstarted(this::loop);
            worker.start();
            long hangNanos = hangLimit(family).toNanos();
            try {
                while (worker.isAlive()) {
                    worker.join(200);
                    long start = currentStart;
                    if (start != 0 && System.nanoTime() - start > hangNanos && worker.isAlive()) {
                        stopped = true;
                        recordHang(worker);
                        worker.interrupt();
                        break;
                    }
                }
            } catch (InterruptedException e) {
                stopped = true;
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while fuzzing " + family.name(), e);
            }
            if (failure != null) {
                throw new AssertionError("the fuzz runner itself failed on " + family.name(), failure);
            }
            HeapTrend trend = new HeapTrend(heap);
            if (!stopped && trend.grows()) {
                Found growth = new Found();
                growth.crash = new Crash(
                        Crash.Kind.HEAP_GROWTH,
                        -1,
                        "retained heap grows with the number of inputs: " + trend.describe(),
                        trend.detail(),
                        null,
                        null,
                        null,
                        1);
                found.put("heap", growth);
            }
            List<Crash> crashes = found.values().stream()
                    .map(f -> f.crash.withOccurrences(Math.max(1, f.count)))
                    .toList();
            return new FuzzReport(
                    family.name(),
                    seed,
                    done,
                    accepted,
                    rejected,
                    crashes,
                    crashInputs,
                    slowest,
                    slowOnce,
                    trend,
                    Duration.ofNanos(System.nanoTime() - started));
        }

        private void loop() {
            try {
                if (family.nativeCode()) {
                    Files.createDirectories(directory);
                    lastInput = FileChannel.open(
                            directory.resolve("last-input"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                }
                List<I> seeds = family.seeds();
                long progressStep = inputs >= 100_000 ? inputs / 10 : Long.MAX_VALUE;
                long started = System.nanoTime();
                for (long i = 0; i < inputs && !stopped; i++) {
                    currentIndex = i;
                    if (i < seeds.size()) {
                        runSeed(seeds.get((int) i), i);
                    } else {
                        runMutant(i);
                    }
                    done = i + 1;
                    if (done % heapInterval == 0) {
                        heap.add(new HeapTrend.Sample(done, retainedHeap()));
                    }
                    if (done % progressStep == 0) {
                        System.out.printf(
                                "fuzz '%s': %d of %d inputs, %d crashes, %.0f s%n",
                                family.name(), done, inputs, crashInputs, (System.nanoTime() - started) / 1e9);
                    }
                }
                if (lastInput != null) {
                    lastInput.close();
                    Files.deleteIfExists(directory.resolve("last-input"));
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void runSeed(I input, long index) {
            Result result = timed(input, index);
            if (result.verdict == Verdict.ACCEPTED) {
                accepted++;
                return;
            }
            crashInputs++;
            String problem = result.error + (result.problem == null ? "" : " (" + result.problem + ")");
            record(
                    "seed " + index,
                    new Crash(
                            Crash.Kind.REJECTED_SEED,
                            index,
                            "seed " + index + " is not accepted: " + problem,
                            stack(result.error),
                            describe(input),
                            null,
                            null,
                            1),
                    null,
                    null);
        }

        private void runMutant(long index) {
            SplittableRandom random = new SplittableRandom(seed * 0x9E37_79B9_7F4A_7C15L ^ index);
            List<I> seeds = family.seeds();
            I base = !pool.isEmpty() && random.nextInt(4) == 0
                    ? pool.get(random.nextInt(pool.size()))
                    : seeds.get(random.nextInt(seeds.size()));
            I other = seeds.get(random.nextInt(seeds.size()));
            I input = base;
            int rounds = 1 + (random.nextInt(3) == 0 ? 1 + random.nextInt(4) : 0);
            for (int r = 0; r < rounds; r++) {
                input = family.mutator().mutate(input, other, random);
            }
            Result first = timed(input, index);
            Result result = first;
            if (first.nanos > timeLimitNanos) {
                Result again = timed(input, index);
                if (again.nanos > timeLimitNanos) {
                    crashInputs++;
                    String problem = String.format(
                            "%.0f ms, then %.0f ms on one input; the limit is %d ms (%s)",
                            first.nanos / 1e6,
                            again.nanos / 1e6,
                            family.timeLimit().toMillis(),
                            first.verdict.name().toLowerCase(java.util.Locale.ROOT));
                    record(
                            "slow",
                            new Crash(Crash.Kind.TOO_SLOW, index, problem, "", describe(input), null, null, 1),
                            input,
                            null);
                    return;
                }
                slowOnce++;
                result = new Result(first.verdict, first.error, first.problem, Math.min(first.nanos, again.nanos));
            }
            if (result.nanos > slowest.nanos()) {
                slowest = new FuzzReport.Slowest(index, result.nanos, kind.describe(input, 200));
            }
            switch (result.verdict) {
                case ACCEPTED -> {
                    accepted++;
                    if (kind.size(input) <= POOL_MAX_INPUT && !kind.same(input, base)) {
                        if (pool.size() < POOL_SIZE) {
                            pool.add(input);
                        } else {
                            pool.set(poolNext++ % POOL_SIZE, input);
                        }
                    }
                }
                case REJECTED -> rejected++;
                case UNDOCUMENTED, BAD_MESSAGE -> {
                    crashInputs++;
                    String problem = result.verdict == Verdict.BAD_MESSAGE
                            ? result.problem + ": " + result.error
                            : String.valueOf(result.error);
                    String signature = result.signature();
                    if (found.containsKey(signature)) {
                        found.get(signature).count++;
                        return;
                    }
                    Verdict verdict = result.verdict;
                    I minimized = Minimizer.minimize(
                            kind,
                            input,
                            candidate -> {
                                Result again = execute(candidate);
                                return again.error != null
                                        && again.verdict == verdict
                                        && again.signature().equals(signature);
                            },
                            MINIMIZER_RUNS,
                            MINIMIZER_NANOS);
                    record(
                            signature,
                            new Crash(
                                    result.crashKind(),
                                    index,
                                    problem,
                                    stack(result.error),
                                    describe(input),
                                    describe(minimized),
                                    null,
                                    1),
                            input,
                            minimized);
                }
            }
        }

        /** Adds a crash, storing its inputs, unless as many distinct ones are kept already (then only counted). */
        private void record(String signature, Crash crash, I input, I minimized) {
            Found entry = found.get(signature);
            if (entry != null) {
                entry.count++;
                return;
            }
            if (found.size() >= MAX_DISTINCT_CRASHES) {
                return;
            }
            Path file = null;
            if (input != null) {
                int number = found.size() + 1;
                file = store("crash-" + number + ".bin", input);
                if (minimized != null) {
                    file = store("crash-" + number + "-minimized.bin", minimized);
                }
            }
            entry = new Found();
            entry.crash = new Crash(
                    crash.kind(),
                    crash.index(),
                    crash.problem(),
                    crash.where(),
                    crash.input(),
                    crash.minimized(),
                    file,
                    1);
            entry.count = 1;
            found.put(signature, entry);
        }

        private void recordHang(Thread worker) {
            I input = currentInput;
            String where = Arrays.stream(worker.getStackTrace())
                    .limit(12)
                    .map(String::valueOf)
                    .collect(Collectors.joining("\n"));
            Path file = input == null ? null : store("hang.bin", input);
            Found entry = new Found();
            entry.crash = new Crash(
                    Crash.Kind.HANG,
                    currentIndex,
                    "input " + currentIndex + " has not returned after "
                            + hangLimit(family).toSeconds() + " s: run abandoned",
                    where,
                    input == null ? null : describe(input),
                    null,
                    file,
                    1);
            entry.count = 1;
            found.put("hang", entry);
            crashInputs++;
        }

        private Result timed(I input, long index) {
            currentInput = input;
            currentIndex = index;
            return execute(input);
        }

        /** Runs the target once and classifies what it did. */
        private Result execute(I input) {
            if (lastInput != null) {
                try {
                    lastInput.truncate(0);
                    lastInput.write(ByteBuffer.wrap(kind.toBytes(input)), 0);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            Throwable thrown = null;
            long start = System.nanoTime();
            currentStart = start;
            try {
                family.target().run(input);
            } catch (Throwable t) {
                thrown = t;
            }
            long nanos = System.nanoTime() - start;
            currentStart = 0;
            if (thrown == null) {
                return new Result(Verdict.ACCEPTED, null, null, nanos);
            }
            DocumentedError documented = family.documented(thrown);
            if (documented == null) {
                return new Result(Verdict.UNDOCUMENTED, thrown, null, nanos);
            }
            String problem = documented.problemWith(thrown);
            return new Result(problem == null ? Verdict.REJECTED : Verdict.BAD_MESSAGE, thrown, problem, nanos);
        }

        private String describe(I input) {
            return kind.describe(input, DESCRIBE_MAX);
        }

        private Path store(String name, I input) {
            try {
                Files.createDirectories(directory);
                Path file = directory.resolve(name);
                Files.write(file, kind.toBytes(input));
                return file.toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot store a crash input under " + directory, e);
            }
        }

        /** Used heap after two full collections. */
        private static long retainedHeap() {
            Runtime runtime = Runtime.getRuntime();
            System.gc();
            System.gc();
            return runtime.totalMemory() - runtime.freeMemory();
        }

        private static String stack(Throwable error) {
            if (error == null) {
                return "";
            }
            StringBuilder text = new StringBuilder();
            StackTraceElement[] frames = error.getStackTrace();
            for (int i = 0; i < Math.min(8, frames.length); i++) {
                text.append(i == 0 ? "" : "\n").append(frames[i]);
            }
            for (Throwable cause = error.getCause();
                    cause != null && cause != cause.getCause();
                    cause = cause.getCause()) {
                text.append("\ncaused by ").append(cause);
                StackTraceElement[] causeFrames = cause.getStackTrace();
                if (causeFrames.length > 0) {
                    text.append(" at ").append(causeFrames[0]);
                }
            }
            return text.toString();
        }

        /** The first frame in code under test: not the JDK's, nor the assertion libraries'. */
        static String firstOwnFrame(Throwable error) {
            StackTraceElement[] frames = error.getStackTrace();
            for (StackTraceElement frame : frames) {
                String className = frame.getClassName();
                if (!className.startsWith("java.")
                        && !className.startsWith("jdk.")
                        && !className.startsWith("sun.")
                        && !className.startsWith("org.assertj.")
                        && !className.startsWith("org.junit.")
                        && !className.startsWith("org.opentest4j.")) {
                    return frame.toString();
                }
            }
            return frames.length > 0 ? frames[0].toString() : "?";
        }
    }
}
