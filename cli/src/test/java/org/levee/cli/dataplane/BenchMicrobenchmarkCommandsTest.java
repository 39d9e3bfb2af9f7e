package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;

/** {@code levee bench detector} and {@code levee bench sflow} run JMH and print one table row per scenario. */
class BenchMicrobenchmarkCommandsTest {
    private static final String[] TINY = {
        "--forks", "0", "--warmup-iterations", "0", "--iterations", "1", "--seconds", "0.2", "--quiet"
    };

    private static CliRun run(String command, String... options) {
        String[] args = new String[2 + options.length + TINY.length];
        args[0] = "bench";
        args[1] = command;
        System.arraycopy(options, 0, args, 2, options.length);
        System.arraycopy(TINY, 0, args, 2 + options.length, TINY.length);
        return CliRun.of(args);
    }

    @Test
    void detectorPrintsSteadyAndFloodsWithTheirRatio() {
        CliRun r = run("detector", "--destinations", "1000", "--floods", "0,5");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2 + 2);
        assertThat(lines.get(0))
                .isEqualTo("| destinations | flooded | samples per second | ns per sample | error | × steady |");
        assertThat(lines.get(2)).startsWith("| 1,000 | 0 | ").endsWith(" | 1.00 |");
        assertThat(lines.get(3)).startsWith("| 1,000 | 5 | ").matches(".* \\| \\d+\\.\\d\\d \\|$");
    }

    @Test
    void sflowPrintsBothPathsAgainstTheCollectorsAndWhatTheyAllocate() {
        CliRun r = run("sflow", "--allocation");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2 + 2);
        assertThat(lines.get(2)).startsWith("| collector | ").contains(" | 1.00 | ");
        assertThat(lines.get(3)).startsWith("| records | ");
    }

    @Test
    void badOptionsAreNamed() {
        CliRun floods = CliRun.of("bench", "detector", "--destinations", "10", "--floods", "20");
        assertThat(floods.exitCode()).isEqualTo(2);
        assertThat(floods.err())
                .isEqualTo("levee bench detector: --floods 20 must be within 0..10 (the destinations)\n");

        CliRun iterations = CliRun.of("bench", "sflow", "--iterations", "0");
        assertThat(iterations.exitCode()).isEqualTo(2);
        assertThat(iterations.err()).contains("measured iterations 0 at least 1");
    }
}
