package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.bench.DropBenchmark;
import org.levee.cli.CliRun;
import org.levee.testing.Requirements;

/**
 * A short run of {@code levee bench drop} on two of its mechanisms, so that the benchmark cannot
 * rot (its figures are not asserted, only that each mechanism's own counter saw the flood), and
 * the {@code --only} option's names.
 */
@Tag("kernel")
class BenchDropCommandTest {
    private static final Pattern ROW = Pattern.compile("\\| ([^|]+) \\| ([0-9,]+) \\| ([0-9,]+) \\| ([0-9]+) \\| ");

    @Test
    void measuresTheFloorAndTheMechanismsNamedByOnly() throws Exception {
        Requirements.root();
        Requirements.require(Runtime.getRuntime().availableProcessors() >= 2, "the drop benchmark needs 2 CPUs");
        String cpusBefore = allowedCpus();
        CliRun run = CliRun.of(
                "bench", "drop", "--only", "levee-100-first", "--rate", "100000", "--seconds", "0.5", "--rounds", "1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        // The benchmark pins a thread of its own to CPU 0, not the caller's: once it pinned the caller, and
        // the CLI tests after it ran their demos (and every process they started) on one CPU.
        assertThat(allowedCpus()).as("this thread's CPUs after the benchmark").isEqualTo(cpusBefore);
        Matcher rows = ROW.matcher(run.out());
        int count = 0;
        while (rows.find()) {
            count++;
            long dropped = Long.parseLong(rows.group(3).replace(",", ""));
            // 0.5 s at 100 kpps: at least half of the 50,000 frames counted where they were dropped
            assertThat(dropped).as(rows.group()).isGreaterThan(25_000);
            assertThat(Long.parseLong(rows.group(4))).as(rows.group()).isPositive();
        }
        assertThat(count).as(run.out()).isEqualTo(2);
        assertThat(run.out())
                .contains("| bare XDP_DROP |")
                .contains("| Levee, 100 rules, flood on rule 1, sampling 1/1000 |")
                .doesNotContain("nftables");
    }

    @Test
    void theHelpNamesEveryMechanismAndAnUnknownOneIsRefused() {
        CliRun help = CliRun.of("bench", "drop", "--help");
        assertThat(help.exitCode()).isZero();
        String flat = help.out().replaceAll("\\s+", " ");
        for (String key : DropBenchmark.MECHANISMS) {
            assertThat(flat).contains(key);
        }
        CliRun run = CliRun.of("bench", "drop", "--only", "nft");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--only").contains("no mechanism 'nft'").contains("nft-netdev");
    }

    /** The CPUs the calling thread may run on, as the kernel lists them. */
    private static String allowedCpus() throws java.io.IOException {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/thread-self/status")).stream()
                .filter(line -> line.startsWith("Cpus_allowed_list:"))
                .findFirst()
                .orElseThrow();
    }
}
