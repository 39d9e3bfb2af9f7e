package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;
import org.levee.testing.Requirements;

/** A small run of the benchmark: every scenario produces a row (timings are not asserted). */
@Tag("kernel")
class BenchDataplaneCommandTest {
    @Test
    void printsARowPerScenario() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        CliRun run = CliRun.of("bench", "dataplane", "--sizes", "0,2", "--repeat", "100");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains(
                        "| constants: all disabled | 0 |",
                        "| constants: match the last rule | 2 |",
                        "| map: enabled, no match | 2 |",
                        "| sampler 1/1000, no rules | 0 |",
                        "| rate limit (over the limit) | 1 |");
    }

    @Test
    void refusesBadSizes() {
        CliRun run = CliRun.of("bench", "dataplane", "--sizes", "-1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("each size must be within 0..30000");
    }
}
