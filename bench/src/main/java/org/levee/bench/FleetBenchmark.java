package org.levee.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.rules.Rule;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.store.FleetKeys;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.EtcdSettings;

/**
 * {@code levee bench fleet}: how long one rule change takes to reach N edges through etcd, and
 * what it costs etcd.
 *
 * <p>Real {@code etcd} (and, with {@code proxy}, one {@code etcd grpc-proxy} that every edge
 * connects to instead) is started on loopback ({@link EtcdProcesses}). N {@link SimulatedEdge}s,
 * each with its own client, connection and watch on the manifest, follow it in this JVM. For each
 * rule-set size a real rule set of {@code udp and dst port N} rules (as {@code levee bench
 * dataplane} uses) is compiled into a rule-set object and published as the controller does
 * ({@link RulesetStore}: chunks, then the manifest); every edge fetches it. Then, round after
 * round, one rule is added (the detector's usual change: a new rule at the end), the new object
 * compiled and written, the manifest committed, and the clock runs from the commit until each edge
 * has fetched and verified the new object. The first round warms this JVM up and is not reported.
 *
 * <p>Per round: the edges' p50, p99 and max; etcd's CPU time and bytes written (from {@code
 * /proc/PID/stat} and {@code /proc/PID/io}'s {@code wchar}: sockets, its write-ahead log and its
 * log) over the whole change (object written, manifest, every edge served); the same for the
 * proxy; and this JVM's CPU time, which is the N edges' (and the publisher's).
 */
public final class FleetBenchmark {
    private FleetBenchmark() {}

    /** Edges are connected this many at a time, each batch watching before the next starts. */
    private static final int CONNECT_BATCH = 100;
    /** A round ends when every edge has the new object, or after this long. */
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(120);
    /** Pause before each round, so that nothing of the last one is still running. */
    private static final Duration SETTLE = Duration.ofMillis(500);

    /**
     * What to run.
     *
     * @param edges how many edges
     * @param rules the rule-set sizes, each measured in turn
     * @param proxy whether the edges connect through one grpc-proxy (else straight to etcd)
     * @param rounds measured rule changes per size
     * @param members etcd members (1 or 3)
     * @param gzip whether the publisher names the object's gzip form in the manifest (as the controller does), which
     *     the edges then fetch; without it they read the plain chunks
     */
    public record Options(int edges, List<Integer> rules, boolean proxy, int rounds, int members, boolean gzip) {
        public Options {
            if (edges < 1 || edges > 20_000) {
                throw new IllegalArgumentException("--edges " + edges + " must be in 1..20000");
            }
            rules = List.copyOf(rules);
            if (rules.isEmpty()) {
                throw new IllegalArgumentException("--rules needs at least one size");
            }
            for (int size : rules) {
                if (size < 1 || size > ProgramLimits.MAX_RULES - 100) {
                    throw new IllegalArgumentException(
                            "--rules " + size + " must be in 1.." + (ProgramLimits.MAX_RULES - 100));
                }
            }
            if (rounds < 1 || rounds > 100) {
                throw new IllegalArgumentException("--rounds " + rounds + " must be in 1..100");
            }
            if (members != 1 && members != 3) {
                throw new IllegalArgumentException("--members " + members + " must be 1 or 3");
            }
        }
    }

    /**
     * One rule change.
     *
     * @param edges edges following the manifest
     * @param rules rules in the new object
     * @param objectBytes the new object's size
     * @param path {@code direct} or {@code proxy}
     * @param form what the edges fetched: {@code gzip} (the gzip form) or {@code plain} (the plain chunks)
     * @param round 1, 2, … (the warm-up round is not reported)
     * @param verified edges that fetched and verified the new object in time
     * @param p50Millis median time from the manifest's commit until an edge had verified the object
     * @param p99Millis 99th percentile of that
     * @param maxMillis the slowest edge
     * @param etcdCpuMillis CPU time of the etcd member(s) over the change
     * @param etcdBytes bytes the etcd member(s) wrote over the change
     * @param proxyCpuMillis CPU time of the grpc-proxy (0 without one)
     * @param proxyBytes bytes the grpc-proxy wrote (0 without one)
     * @param edgesCpuMillis CPU time of this JVM: the edges (and the publisher)
     * @param gcMillis time this JVM spent collecting garbage (stopping every edge), part of the CPU time above
     * @param compileMillis compiling the new rule set (the controller's part, before the clock starts)
     * @param writeMillis writing the new object's chunks (before the clock starts)
     * @param retries reads the edges tried again
     * @param connections TCP connections the edges hold to the endpoint they use (etcd's or the proxy's client port)
     */
    public record Row(
            int edges,
            int rules,
            int objectBytes,
            String path,
            String form,
            int round,
            int verified,
            double p50Millis,
            double p99Millis,
            double maxMillis,
            long etcdCpuMillis,
            long etcdBytes,
            long proxyCpuMillis,
            long proxyBytes,
            long edgesCpuMillis,
            long gcMillis,
            long compileMillis,
            long writeMillis,
            long retries,
            int connections) {}

    /** A rule set compiled into its object. */
    private record Compiled(RuleSet set, byte[] elf, long compileMillis) {}

    /**
     * Runs every size; rows are reported as measured, progress lines (what is being done now) as
     * they happen.
     *
     * @throws IllegalStateException when etcd cannot be started, edges cannot connect, or this JVM
     *     has too little heap for N copies of the largest object
     */
    public static void run(Options options, Consumer<String> progress, Consumer<Row> out) {
        RuleFilters filters = new RuleFilters();
        // The largest object decides the memory this JVM needs: every edge may be reading one (its chunks, the
        // joined bytes, the inflated object) at the same moment.
        int largest = options.rules().stream().mapToInt(Integer::intValue).max().orElseThrow();
        progress.accept("compiling " + largest + " rules to size the heap");
        Compiled probe = compile(largest + options.rounds() + 1, filters);
        long need = 3L * options.edges() * probe.elf().length;
        long have = Runtime.getRuntime().maxMemory();
        if (need > have * 8 / 10) {
            throw new IllegalStateException(String.format(
                    "%d edges with %d rules: each edge reads a %,d-byte object at the same time,"
                            + " ≈ %.1f GB of heap in this one JVM, which has %.1f GB; measure fewer edges or fewer rules",
                    options.edges(), largest, probe.elf().length, need / 1e9, have / 1e9));
        }
        String path = options.proxy() ? "proxy" : "direct";
        progress.accept("starting etcd (" + options.members() + (options.members() == 1 ? " member" : " members")
                + (options.proxy() ? ", one grpc-proxy" : "") + ")");
        try (EtcdProcesses etcd = EtcdProcesses.start(options.members(), options.proxy())) {
            EtcdSettings direct = EtcdSettings.of(etcd.memberEndpoints());
            EtcdSettings edgeSettings = options.proxy() ? EtcdSettings.of(etcd.proxyEndpoint()) : direct;
            FleetKeys keys = FleetKeys.defaults();
            List<SimulatedEdge> edges = new ArrayList<>();
            try (EtcdClient controller = EtcdClient.connect(direct)) {
                RulesetStore store = new RulesetStore(controller, keys);
                store.current(); // the publisher connected
                int[] edgePorts = options.proxy()
                        ? new int[] {etcd.proxy().orElseThrow().clientPort()}
                        : etcd.members().stream()
                                .mapToInt(EtcdProcesses.Started::clientPort)
                                .toArray();
                int before = establishedTo(edgePorts); // the publisher's, and etcd's gateway's own
                connect(options.edges(), edgeSettings, keys, edges, progress);
                int connections = establishedTo(edgePorts) - before;
                long version = 0;
                for (int size : options.rules()) {
                    progress.accept("publishing " + size + " rules for every edge to fetch");
                    Compiled base = compile(size, filters);
                    store.publish(manifest(store, base, ++version, options.gzip()), base.elf(), Optional.empty());
                    awaitVersion(edges, version);
                    for (int round = 0; round <= options.rounds(); round++) {
                        Compiled next = compile(size + 1 + round, filters);
                        progress.accept((round == 0 ? "warm-up change" : "change " + round + " of " + options.rounds())
                                + ": " + next.set().size() + " rules, " + next.elf().length + " bytes");
                        Row row = change(
                                options, path, etcd, store, edges, next, ++version, round, connections, progress);
                        if (round > 0) {
                            out.accept(row);
                        }
                    }
                }
            } finally {
                closeAll(edges);
            }
        }
    }

    /** One measured rule change. */
    private static Row change(
            Options options,
            String path,
            EtcdProcesses etcd,
            RulesetStore store,
            List<SimulatedEdge> edges,
            Compiled next,
            long version,
            int round,
            int connections,
            Consumer<String> progress) {
        System.gc(); // one JVM plays every edge: collect the last round's garbage before the clock runs, not during
        sleep(SETTLE);
        RulesetManifest manifest = manifest(store, next, version, options.gzip());
        ProcessCounters etcdBefore = etcdCounters(etcd);
        Optional<ProcessCounters> proxyBefore = etcd.proxy().map(p -> ProcessCounters.of(p.pid()));
        Duration jvmBefore = jvmCpu();
        long gcBefore = gcMillis();
        long retriesBefore = edges.stream().mapToLong(SimulatedEdge::retries).sum();
        long writeStart = System.nanoTime();
        store.writeObject(manifest, next.elf());
        long committing = System.nanoTime();
        store.commitManifest(manifest, next.elf(), Optional.empty());
        awaitVersion(edges, version);
        ProcessCounters etcdUsed = etcdCounters(etcd).minus(etcdBefore);
        Optional<ProcessCounters> proxyUsed = proxyBefore.map(
                b -> ProcessCounters.of(etcd.proxy().orElseThrow().pid()).minus(b));
        Duration jvmUsed = jvmCpu().minus(jvmBefore);
        long gcUsed = gcMillis() - gcBefore;

        String sha256 = manifest.object().sha256();
        long[] nanos = edges.stream()
                .flatMap(e -> e.verified().stream())
                .filter(v -> v.version() == version && v.sha256().equals(sha256))
                .mapToLong(v -> v.atNanos() - committing)
                .sorted()
                .toArray();
        long retries = edges.stream().mapToLong(SimulatedEdge::retries).sum() - retriesBefore;
        if (retries > 0) {
            progress.accept(retries + " reads failed and were tried again; the last failure: "
                    + edges.stream()
                            .flatMap(e -> e.lastRetryError().stream())
                            .findFirst()
                            .orElse("?"));
        }
        if (nanos.length < edges.size()) {
            progress.accept((edges.size() - nanos.length) + " edges did not verify version " + version + " within "
                    + ROUND_TIMEOUT.toSeconds() + " s; a refusal: "
                    + edges.stream()
                            .flatMap(e -> e.lastFailure().stream())
                            .findFirst()
                            .orElse("none"));
        }
        return new Row(
                edges.size(),
                next.set().size(),
                next.elf().length,
                path,
                options.gzip() ? "gzip" : "plain",
                round,
                nanos.length,
                millis(percentile(nanos, 50)),
                millis(percentile(nanos, 99)),
                millis(nanos.length == 0 ? -1 : nanos[nanos.length - 1]),
                etcdUsed.cpu().toMillis(),
                etcdUsed.bytesWritten(),
                proxyUsed.map(p -> p.cpu().toMillis()).orElse(0L),
                proxyUsed.map(ProcessCounters::bytesWritten).orElse(0L),
                jvmUsed.toMillis(),
                gcUsed,
                next.compileMillis(),
                (committing - writeStart) / 1_000_000,
                retries,
                connections);
    }

    private static RulesetManifest manifest(RulesetStore store, Compiled compiled, long version, boolean gzip) {
        List<String> ids = compiled.set().rules().stream().map(Rule::id).toList();
        RulesetManifest plain =
                new RulesetManifest(version, ids, store.refOf(compiled.elf()), Instant.now(), "levee-bench");
        return gzip ? store.withGzip(plain, compiled.elf()) : plain;
    }

    /** {@code size} rules {@code udp and dst port 10000+i} for 198.51.100.0/24, compiled as the controller does. */
    private static Compiled compile(int size, RuleFilters filters) {
        long start = System.nanoTime();
        RuleSet set = RuleCodec.parse("bench", DataplaneBenchmark.rules(size));
        byte[] elf = RuleSetObject.compile(set, filters.compile("bench", set), new ProgramBuilder())
                .toElf();
        return new Compiled(set, elf, (System.nanoTime() - start) / 1_000_000);
    }

    /** Connects the edges a batch at a time (a thousand TLS-less handshakes at once would measure the accept queue). */
    private static void connect(
            int count, EtcdSettings settings, FleetKeys keys, List<SimulatedEdge> edges, Consumer<String> progress) {
        while (edges.size() < count) {
            int batch = Math.min(CONNECT_BATCH, count - edges.size());
            List<SimulatedEdge> started = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                started.add(new SimulatedEdge(settings, keys));
            }
            edges.addAll(started);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!started.stream().allMatch(SimulatedEdge::watching)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            started.stream().filter(e -> !e.watching()).count() + " of " + batch
                                    + " edges did not establish their watch within 60 s (file descriptors: ulimit -n?)");
                }
                sleep(Duration.ofMillis(20));
            }
            progress.accept(edges.size() + " of " + count + " edges connected and watching");
        }
    }

    private static void awaitVersion(List<SimulatedEdge> edges, long version) {
        long deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (edges.stream()
                    .allMatch(e -> e.verified().map(v -> v.version() >= version).orElse(false) || e.failures() > 0)) {
                return;
            }
            sleep(Duration.ofMillis(2));
        }
    }

    private static void closeAll(List<SimulatedEdge> edges) {
        try (ExecutorService closer = Executors.newVirtualThreadPerTaskExecutor()) {
            edges.forEach(e -> closer.submit(e::close));
        }
    }

    private static ProcessCounters etcdCounters(EtcdProcesses etcd) {
        ProcessCounters sum = new ProcessCounters(Duration.ZERO, 0);
        for (EtcdProcesses.Started m : etcd.members()) {
            ProcessCounters c = ProcessCounters.of(m.pid());
            sum = new ProcessCounters(sum.cpu().plus(c.cpu()), sum.bytesWritten() + c.bytesWritten());
        }
        return sum;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    private static Duration jvmCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Established TCP connections whose local port is one of {@code ports} (the server's side), from /proc/net/tcp. */
    static int establishedTo(int... ports) {
        int count = 0;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                if (table.endsWith("6")) {
                    continue; // no IPv6
                }
                throw new UncheckedIOException(e);
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.strip().split("\\s+");
                // sl local_address rem_address st …; addresses are HEXIP:HEXPORT, state 01 is ESTABLISHED
                int port = HexFormat.fromHexDigits(f[1].substring(f[1].indexOf(':') + 1));
                if ("01".equals(f[3]) && Arrays.stream(ports).anyMatch(p -> p == port)) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Nearest rank; -1 without values. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double millis(long nanos) {
        return nanos < 0 ? Double.NaN : nanos / 1e6;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
