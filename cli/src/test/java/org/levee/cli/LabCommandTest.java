package org.levee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.LiveFrames;
import org.levee.lab.GeneratorKind;
import org.levee.lab.LabSecond;
import org.levee.testing.Requirements;

/** {@code levee lab} in-process: a short run with one flood dropped at the edge, and bad options. */
@Tag("kernel")
class LabCommandTest {
    @Test
    void aShortRunPrintsASecondBySecondTableAndLosesNoLegitimateRequestWhenFloodsAreDropped() {
        Requirements.root();
        Requirements.command("ip");
        CliRun run = CliRun.of(
                "lab",
                "--duration",
                "3",
                "--kinds",
                "syn",
                "--flood-seconds",
                "2",
                "--flood-rate",
                "100000",
                "--legit-udp",
                "500",
                "--legit-tcp",
                "20",
                "--drop");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0))
                .startsWith("lab ")
                .contains("203.0.113.10")
                .contains("dropped at the edge")
                .contains("sent by the " + GeneratorKind.preferred().id() + " generator")
                .endsWith("at 100,000 pps");
        assertThat(lines.get(1)).isEqualTo(LabSecond.header());
        assertThat(lines.subList(2, 5)).hasSize(3);
        String[] quiet = lines.get(2).trim().split("\\s+");
        String[] flooded = lines.get(3).trim().split("\\s+");
        assertThat(quiet[1]).as("first second: quiet").isEqualTo("-");
        assertThat(flooded[1]).as("second second: the SYN flood").isEqualTo("syn");
        long offered = Long.parseLong(flooded[5].replace(",", ""));
        long atEdge = Long.parseLong(flooded[6].replace(",", ""));
        assertThat(offered)
                .as("SYN flood frames sent in a second at 100,000 pps")
                .isBetween(80_000L, 110_000L);
        assertThat(atEdge).as("SYN flood frames counted at the edge").isBetween(offered * 9 / 10, offered * 11 / 10);
        assertThat(lines.getLast()).matches("legitimate requests: [0-9,]+ sent, 0 lost \\(0\\.000 %\\), 0 unanswered");
    }

    @Test
    void badOptionsAreNamed() {
        CliRun unknown = CliRun.of("lab", "--kinds", "syn,smurf");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("levee lab: --kinds: unknown flood kind 'smurf'");
        CliRun generator = CliRun.of("lab", "--generator", "pktgen");
        assertThat(generator.exitCode()).isEqualTo(2);
        assertThat(generator.err())
                .contains("levee lab: --generator: unknown generator 'pktgen' (known: auto, live, socket)");
        if (!LiveFrames.support().supported()) {
            CliRun live = CliRun.of("lab", "--generator", "live");
            assertThat(live.exitCode()).isEqualTo(2);
            assertThat(live.err())
                    .contains("levee lab: --generator: generator 'live' cannot run here: this kernel refuses")
                    .contains("use 'socket' or 'auto'");
        }
        CliRun zero = CliRun.of("lab", "--duration", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--duration must be ≥ 1 second, got 0");
    }
}
