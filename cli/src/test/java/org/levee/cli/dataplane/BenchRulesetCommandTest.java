package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;
import org.levee.testing.Requirements;

/**
 * A small run of the benchmark: every step of both shapes produces a row with its count of
 * changes (timings are not asserted, but each is a positive number of milliseconds), through the
 * data plane on a veth and the agent's API; bad options are refused.
 */
@Tag("kernel")
class BenchRulesetCommandTest {
    private static final Pattern ROW = Pattern.compile(
            "\\| (port|mixed) \\| 70 \\| ([^|]+) \\| (\\d+) \\| ([0-9.]+) \\| ([0-9.]+) \\| ([0-9.]+) \\|");

    @Test
    void printsARowPerStep() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        CliRun run = CliRun.of("bench", "ruleset", "--rules", "70", "--changes", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        for (String shape : new String[] {"port", "mixed"}) {
            for (String step : new String[] {
                "full compile (baseline)",
                "write the ELF object",
                "incremental compile, add",
                "incremental compile, remove",
                "load (verifier)",
                "swap (maps, pins, link update)",
                "add: compile + load + swap",
                "remove: compile + load + swap",
                "API: POST /rules until attached",
                "API: DELETE /rules/<id> until attached"
            }) {
                assertThat(run.out()).contains("| " + shape + " | 70 | " + step + " |");
            }
        }
        Matcher rows = ROW.matcher(run.out());
        int count = 0;
        while (rows.find()) {
            count++;
            int samples = Integer.parseInt(rows.group(3));
            // a full compile, the load and the swap after each of 2 adds and 2 removes; the others once per add or
            // remove
            assertThat(samples)
                    .as(rows.group())
                    .isEqualTo(
                            rows.group(2).startsWith("full")
                                            || rows.group(2).startsWith("write")
                                            || rows.group(2).startsWith("load")
                                            || rows.group(2).startsWith("swap")
                                    ? 4
                                    : 2);
            assertThat(Double.parseDouble(rows.group(4))).as(rows.group()).isPositive();
            assertThat(Double.parseDouble(rows.group(5)))
                    .as(rows.group())
                    .isGreaterThanOrEqualTo(Double.parseDouble(rows.group(4)));
        }
        assertThat(count).isEqualTo(20);
    }

    @Test
    void refusesBadOptions() {
        CliRun run = CliRun.of("bench", "ruleset", "--rules", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("each size must be within 1..");
        run = CliRun.of("bench", "ruleset", "--shapes", "ports");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--shapes: 'ports' is not port or mixed");
        run = CliRun.of("bench", "ruleset", "--changes", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--changes 0 must be at least 1");
    }
}
