package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.PrefixWatch;
import org.levee.store.etcd.StoreException;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.Via;

/**
 * A quick figure, not the benchmark: {@value #EDGES} edges, each with its own connection and watch,
 * see a new manifest and fetch and verify its 1 MiB object; how long from the manifest's put until
 * each has it. Prints p50/p99/max and appends them to target/fanout.txt. Asserts only that every
 * edge got exactly the published object.
 */
@Isolated("timing: nothing else should run meanwhile")
class FanOutMeasurementTest {
    static final int EDGES = 100;
    private static EtcdHarness etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.start(1).startProxy();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    /** One simulated edge: its client, its watch, the object it fetched last and when. */
    private static final class Edge implements AutoCloseable {
        final EtcdClient client;
        final RulesetStore store;
        final PrefixWatch watch;
        volatile long version;
        volatile long fetchedAtNanos;
        volatile byte[] fetched;

        Edge(EtcdClient client, FleetKeys keys, ConcurrentLinkedQueue<String> problems, AtomicInteger retries) {
            this.client = client;
            this.store = new RulesetStore(client, keys);
            this.watch = PrefixWatch.start(client, KeyRange.key(keys.ruleset()), update -> {
                var kv = update.snapshot().get(keys.ruleset());
                if (kv == null) {
                    return;
                }
                RulesetManifest m = RulesetStore.decode(kv).manifest();
                for (int attempt = 1; ; attempt++) {
                    try {
                        byte[] object = store.fetch(m);
                        fetchedAtNanos = System.nanoTime();
                        fetched = object;
                        version = m.version();
                        return;
                    } catch (StoreException e) {
                        // As an edge does: etcd (or the proxy) failed this read; try again shortly.
                        retries.incrementAndGet();
                        if (attempt == 5) {
                            problems.add(e.toString());
                            return;
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException interrupted) {
                            return;
                        }
                    } catch (RuntimeException e) {
                        problems.add(e.toString());
                        return;
                    }
                }
            });
        }

        @Override
        public void close() {
            watch.close();
            client.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aHundredEdgesFetchANewMibObject(Via via) throws Exception {
        FleetKeys keys = new FleetKeys("/fanout-" + via.name().toLowerCase() + "/");
        EtcdClient controller = etcd.client();
        RulesetStore store = new RulesetStore(controller, keys);
        store.publish(
                new RulesetManifest(1, List.of("a"), store.refOf(object(1)), Instant.now(), "ctl"),
                object(1),
                Optional.empty());

        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger retries = new AtomicInteger();
        List<Edge> edges = new ArrayList<>();
        try {
            for (int i = 0; i < EDGES; i++) {
                EtcdClient client = EtcdClient.connect(via == Via.DIRECT ? etcd.settings() : etcd.proxySettings());
                edges.add(new Edge(client, keys, problems, retries));
            }
            await(edges, 1, problems);
            publish(controller, store, keys, 2); // a first round warms up the JIT of this one JVM that plays all edges
            await(edges, 2, problems);

            byte[] measured = object(3);
            Duration etcdCpu = etcd.cpuTime(0);
            Duration proxyCpu = etcd.proxyCpuTime();
            Duration edgesCpu =
                    ProcessHandle.current().info().totalCpuDuration().orElseThrow();
            int retriesBefore = retries.get();
            long put = publish(controller, store, keys, 3);
            await(edges, 3, problems);
            etcdCpu = etcd.cpuTime(0).minus(etcdCpu);
            proxyCpu = etcd.proxyCpuTime().minus(proxyCpu);
            edgesCpu = ProcessHandle.current()
                    .info()
                    .totalCpuDuration()
                    .orElseThrow()
                    .minus(edgesCpu);

            assertThat(problems).isEmpty();
            assertThat(edges).allSatisfy(e -> assertThat(e.fetched).isEqualTo(measured));
            long[] micros = edges.stream()
                    .mapToLong(e -> (e.fetchedAtNanos - put) / 1000)
                    .sorted()
                    .toArray();
            String line = String.format(
                    "fan-out %s: %d edges, 1 MiB object, manifest put -> fetched and verified: "
                            + "min %.1f ms, p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d reads retried; CPU: edges (this JVM) %d ms, etcd %d ms%s",
                    via,
                    EDGES,
                    micros[0] / 1000.0,
                    percentile(micros, 50) / 1000.0,
                    percentile(micros, 99) / 1000.0,
                    micros[micros.length - 1] / 1000.0,
                    retries.get() - retriesBefore,
                    edgesCpu.toMillis(),
                    etcdCpu.toMillis(),
                    via == Via.PROXY ? ", grpc-proxy " + proxyCpu.toMillis() + " ms" : "");
            System.out.println(line);
            Files.writeString(
                    Path.of("target", "fanout.txt"),
                    line + System.lineSeparator(),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } finally {
            edges.forEach(Edge::close);
        }
    }

    private static byte[] object(int version) {
        byte[] object = new byte[1 << 20];
        new Random(version).nextBytes(object);
        return object;
    }

    /** Writes the chunks of version {@code version}'s object, then its manifest; returns when the manifest's put started. */
    private static long publish(EtcdClient controller, RulesetStore store, FleetKeys keys, int version) {
        byte[] object = object(version);
        store.objects().write(object);
        RulesetManifest m =
                new RulesetManifest(version, List.of("r" + version), store.refOf(object), Instant.now(), "ctl");
        long put = System.nanoTime();
        controller.put(keys.ruleset(), RulesetManifestJson.encode(m));
        return put;
    }

    private static void await(List<Edge> edges, long version, ConcurrentLinkedQueue<String> problems) {
        Eventually.await(
                Duration.ofSeconds(30),
                () -> ": " + edges.stream().filter(e -> e.version != version).count() + " edges without version "
                        + version + "; problems " + problems,
                () -> edges.stream().allMatch(e -> e.version == version));
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
