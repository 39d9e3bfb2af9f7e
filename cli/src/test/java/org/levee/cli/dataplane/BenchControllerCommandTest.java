package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;

/** {@code levee bench controller} measures both paths of both scenarios and prints one table. */
class BenchControllerCommandTest {

    @Test
    void aShortRunPrintsEveryPathOfEveryScenario() {
        org.levee.testing.Requirements.library("libpcap.so.0.8");
        CliRun r = CliRun.of(
                "bench",
                "controller",
                "--seconds",
                "0.2",
                "--destinations",
                "200",
                "--floods",
                "2",
                "--warmup",
                "200000");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2 + 6);
        assertThat(lines.get(2))
                .startsWith("| steady traffic, 200 destinations | detector alone | ")
                .endsWith(" | 1.00 | 0 |");
        assertThat(lines.get(4)).contains("| controller (sFlow decode + ingest + detector) | ");
        assertThat(lines.get(7))
                .startsWith("| 2 SYN floods under drop rules, 200 destinations | controller")
                .endsWith(" | 2 |");
    }

    @Test
    void badOptionsAreNamed() {
        CliRun r = CliRun.of("bench", "controller", "--destinations", "5");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("levee bench controller: --destinations 5 must be in 100..1000000\n");
    }
}
