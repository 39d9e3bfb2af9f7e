package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;
import org.levee.testing.Requirements;

/** {@code levee bench compiler} prints the table of docs/compiler.md. */
@Tag("kernel")
class BenchCompilerCommandTest {
    @Test
    void printsFifteenFiltersTheTotalAndTheFloor() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");

        CliRun r = CliRun.of("bench", "compiler", "--repeat", "100", "--rounds", "1", "--packets", "2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2 + 15 + 1 + 2);
        assertThat(lines.get(2)).startsWith("| 1 | `ip` | 4 | 5 | 12 | ");
        assertThat(lines.get(17)).matches("\\| \\| total \\| \\| \\d+ \\| 526 \\| \\| \\| \\|");
        assertThat(lines.get(19)).matches("XDP_PASS floor: \\d+\\.\\d ns per run \\(mean of the medians\\)\\.");
    }

    @Test
    void badOptionsAreNamed() {
        CliRun r = CliRun.of("bench", "compiler", "--rounds", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("levee bench compiler: --repeat, --rounds, --packets: rounds 0 must be within 1..101\n");
    }
}
