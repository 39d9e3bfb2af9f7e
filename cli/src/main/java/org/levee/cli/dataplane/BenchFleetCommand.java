package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.levee.bench.FleetBenchmark;
import org.levee.cli.common.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee bench fleet --edges N [--rules 100,1000,10000] [--proxy] [--rounds R] [--members 1|3] [--plain]}:
 * one rule change reaching N edges through etcd, as a Markdown table on stdout; progress on stderr.
 */
@Command(
        name = "fleet",
        mixinStandardHelpOptions = true,
        description = "Time from a new manifest's commit in etcd until each of N simulated edges (each its own etcd"
                + " connection and watch, in this JVM) has fetched and verified the new rule-set object, for rule sets of"
                + " 'udp and dst port N' rules, one rule added per round; with etcd's CPU time and bytes written. Starts"
                + " real etcd (and with --proxy one 'etcd grpc-proxy' the edges connect to) on loopback; needs etcd"
                + " (Debian etcd-server).")
public final class BenchFleetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--edges", paramLabel = "N", required = true, description = "Simulated edges.")
    int edges;

    @Option(names = "--rules", split = ",", paramLabel = "N", description = "Rule-set sizes (default 100,1000,10000).")
    int[] rules = {100, 1000, 10_000};

    @Option(names = "--proxy", description = "Edges connect through one etcd grpc-proxy instead of to etcd itself.")
    boolean proxy;

    @Option(
            names = "--rounds",
            paramLabel = "R",
            description = "Measured rule changes per size, after one warm-up (default 3).")
    int rounds = 3;

    @Option(names = "--members", paramLabel = "1|3", description = "etcd members (default 1).")
    int members = 1;

    @Option(
            names = "--plain",
            description = "Publish without the object's gzip form: edges read the plain chunks"
                    + " (what edges did before the gzip form, and what edges that do not know it still do).")
    boolean plain;

    @Override
    public Integer call() {
        FleetBenchmark.Options options;
        try {
            options = new FleetBenchmark.Options(
                    edges, Arrays.stream(rules).boxed().toList(), proxy, rounds, members, !plain);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.println(
                "| edges | rules | object bytes | path | form | round | verified | p50 ms | p99 ms | max ms | etcd CPU ms"
                        + " | etcd bytes written | proxy CPU ms | proxy bytes written | edges' JVM CPU ms | of which GC ms | compile ms | write ms"
                        + " | retries | connections |");
        out.println(
                "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        out.flush();
        try {
            FleetBenchmark.run(
                    options,
                    line -> {
                        err.println("levee bench fleet: " + line);
                        err.flush();
                    },
                    row -> {
                        out.printf(
                                "| %d | %d | %d | %s | %s | %d | %d | %.1f | %.1f | %.1f | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |%n",
                                row.edges(),
                                row.rules(),
                                row.objectBytes(),
                                row.path(),
                                row.form(),
                                row.round(),
                                row.verified(),
                                row.p50Millis(),
                                row.p99Millis(),
                                row.maxMillis(),
                                row.etcdCpuMillis(),
                                row.etcdBytes(),
                                row.proxyCpuMillis(),
                                row.proxyBytes(),
                                row.edgesCpuMillis(),
                                row.gcMillis(),
                                row.compileMillis(),
                                row.writeMillis(),
                                row.retries(),
                                row.connections());
                        out.flush();
                    });
        } catch (IllegalStateException e) {
            throw new UserException(e.getMessage(), e);
        }
        return 0;
    }
}
