package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.levee.cli.CliRun;
import org.levee.testing.Requirements;

/**
 * {@code levee bench fleet} with a handful of edges: one table row per measured change, every
 * edge having fetched and verified every new object, numbers that fit together.
 */
@Isolated("starts etcd and times propagation")
class BenchFleetCommandTest {
    private static final List<String> HEADER = List.of(
            "edges",
            "rules",
            "object bytes",
            "path",
            "form",
            "round",
            "verified",
            "p50 ms",
            "p99 ms",
            "max ms",
            "etcd CPU ms",
            "etcd bytes written",
            "proxy CPU ms",
            "proxy bytes written",
            "edges' JVM CPU ms",
            "of which GC ms",
            "compile ms",
            "write ms",
            "retries",
            "connections");

    @Test
    void fiveEdgesVerifyEveryChangeDirectly() {
        Requirements.command("etcd");
        CliRun r = CliRun.of("bench", "fleet", "--edges", "5", "--rules", "100", "--rounds", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2 + 2);
        assertThat(cells(lines.get(0))).containsExactlyElementsOf(HEADER);
        for (int round = 1; round <= 2; round++) {
            List<String> row = cells(lines.get(1 + round));
            assertThat(row.subList(0, 7))
                    .containsExactly(
                            "5", String.valueOf(101 + round), row.get(2), "direct", "gzip", String.valueOf(round), "5");
            int objectBytes = Integer.parseInt(row.get(2));
            assertThat(objectBytes).isBetween(40_000, 80_000); // a compiled set of ~100 rules
            double p50 = Double.parseDouble(row.get(7));
            double p99 = Double.parseDouble(row.get(8));
            double max = Double.parseDouble(row.get(9));
            assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThanOrEqualTo(max);
            assertThat(max).isLessThan(30_000);
            // etcd wrote at least the five edges' gzip forms (about a seventh of the object each), and did not copy the
            // whole object to each edge.
            long etcdBytes = Long.parseLong(row.get(11));
            assertThat(etcdBytes).isGreaterThan(5L * objectBytes / 10).isLessThan(5L * objectBytes + 4 * objectBytes);
            assertThat(row.subList(12, 14)).containsExactly("0", "0"); // no proxy
            assertThat(row.get(19)).isEqualTo("5"); // one connection per edge
        }
        assertThat(r.err()).contains("levee bench fleet: 5 of 5 edges connected and watching");
    }

    @Test
    void throughTheProxyThePlainChunksAreReadAndTheProxyWrites() {
        Requirements.command("etcd");
        CliRun r = CliRun.of("bench", "fleet", "--edges", "3", "--rules", "50", "--rounds", "1", "--proxy", "--plain");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        List<String> row = cells(lines.get(2));
        assertThat(row.subList(0, 7)).containsExactly("3", "52", row.get(2), "proxy", "plain", "1", "3");
        long objectBytes = Long.parseLong(row.get(2));
        assertThat(Long.parseLong(row.get(13)))
                .as("the proxy sent each edge the whole object")
                .isGreaterThanOrEqualTo(3 * objectBytes);
        assertThat(row.get(19)).isEqualTo("3");
    }

    @Test
    void badOptionsAreNamed() {
        CliRun r = CliRun.of("bench", "fleet", "--edges", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("levee bench fleet: --edges 0 must be in 1..20000\n");
        r = CliRun.of("bench", "fleet", "--edges", "5", "--members", "2");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("levee bench fleet: --members 2 must be 1 or 3\n");
        r = CliRun.of("bench", "fleet", "--edges", "5", "--rules", "100,0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("levee bench fleet: --rules 0 must be in 1..");
    }

    private static List<String> cells(String line) {
        assertThat(line).startsWith("| ").endsWith(" |");
        return Arrays.stream(line.substring(2, line.length() - 2).split(" \\| "))
                .map(String::strip)
                .toList();
    }
}
