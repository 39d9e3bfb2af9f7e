package org.levee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.ebpf.netns.Netns;
import org.levee.lab.GeneratorKind;
import org.levee.testing.Requirements;

/**
 * {@code levee demo} for real, shortened: a SYN flood and a memcached amplification in 40 s,
 * against the agent on the lab's edge. The report must exist in both forms and say every target
 * was met, and the lab must be gone afterwards.
 */
@Tag("kernel")
class DemoCommandTest {

    @Test
    void aShortDemoMeetsEveryTargetAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Requirements.root();
        Requirements.command("ip");
        Requirements.library("libpcap.so.0.8");
        Path report = dir.resolve("report");

        CliRun run = CliRun.of("demo", "--duration", "40", "--attacks", "syn,memcached", "--report", report.toString());

        System.out.println(run.out());
        assertThat(run.err()).doesNotContain("Exception");
        JsonNode json = new JsonMapper().readTree(Files.readString(report.resolve("report.json")));
        assertThat(json.get("attacks")).hasSize(2);
        GeneratorKind generator = GeneratorKind.preferred();
        assertThat(json.get("settings").get("generator").asText()).isEqualTo(generator.id());
        assertThat(json.get("settings").get("attack_pps").asLong()).isEqualTo(generator.defaultFloodRate());
        assertThat(run.out()).contains("from the " + generator.id() + " generator");
        assertThat(json.get("attacks").get(0).get("name").asText()).isEqualTo("syn");
        assertThat(json.get("attacks").get(1).get("name").asText()).isEqualTo("memcached");
        for (JsonNode a : json.get("attacks")) {
            // null (never mitigated, never retired) would read as 0 below
            assertThat(List.of("time_to_mitigate_s", "dropped_pct_after_mitigation", "retired_s"))
                    .allSatisfy(field -> assertThat(a.get(field).isNumber())
                            .as("%s in %s", field, a)
                            .isTrue());
            assertThat(a.get("time_to_mitigate_s").asDouble()).as("%s", a).isLessThanOrEqualTo(2.0);
            // What the flood really offered, over its whole duration: the generator shares the 2 CPUs with
            // the lab and the edge, so this checks that the flood was real and large, not the generator's
            // ceiling. The memcached flood (1.4 kB frames; ≈ 1.03 Mpps from the generator alone) reached
            // 0.74× twice late in CI runs, and 0.68× (813,350 of 1.2 M pps) once, 0.79× run alone.
            assertThat(a.get("reached_pps").asDouble())
                    .as("%s", a)
                    .isGreaterThanOrEqualTo(0.6 * a.get("planned_pps").asLong());
            assertThat(a.get("dropped_pct_after_mitigation").asDouble())
                    .as("%s", a)
                    .isGreaterThanOrEqualTo(99.0);
            assertThat(a.get("retired_s").asDouble())
                    .as("%s", a)
                    .isGreaterThan(a.get("stopped_s").asDouble());
            assertThat(a.get("rule").get("origin").asText()).isEqualTo("auto");
            assertThat(a.get("detector").get("fingerprint").isNull())
                    .as("%s", a)
                    .isFalse();
        }
        assertThat(json.get("legit").get("sent").asLong()).isGreaterThan(30_000);
        assertThat(json.get("legit").get("lost_pct_outside_detection").asDouble())
                .isLessThanOrEqualTo(0.1);
        assertThat(json.get("targets"))
                .allSatisfy(
                        t -> assertThat(t.get("met").asBoolean()).as("%s", t).isTrue());
        assertThat(json.get("all_targets_met").asBoolean()).isTrue();
        assertThat(run.exitCode()).isZero();
        assertThat(Files.readString(report.resolve("report.html")))
                .contains("<svg")
                .contains("all met");
        assertThat(run.out()).contains("t(s)").contains("met    time_to_mitigate_p50_s");
        java.util.regex.Matcher lab =
                java.util.regex.Pattern.compile("levee demo: lab (\\w+) ").matcher(run.out());
        assertThat(lab.find()).as("the lab's id in %s", run.out()).isTrue();
        try (var names = Files.list(Netns.DIRECTORY)) {
            assertThat(names.map(p -> p.getFileName().toString()))
                    .as("namespaces after the demo")
                    .noneMatch(n -> n.contains(lab.group(1)));
        }
        assertThat(Path.of("/sys/fs/bpf/levee"))
                .satisfiesAnyOf(
                        p -> assertThat(p).doesNotExist(),
                        p -> assertThat(Files.list(p).map(Path::toString)).noneMatch(n -> n.contains(lab.group(1))));
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsBuilt() {
        CliRun unknown = CliRun.of("demo", "--attacks", "syn,smurf");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--attacks: unknown flood kind 'smurf'");
        CliRun tooShort = CliRun.of("demo", "--duration", "20", "--attacks", "syn,udp");
        assertThat(tooShort.exitCode()).isEqualTo(2);
        assertThat(tooShort.err())
                .contains(
                        "--duration 20 s is too short for 2 attack(s) with a 5 s cool-down: it must be at least 29 s");
        CliRun badRate = CliRun.of("demo", "--attack-pps", "-5");
        assertThat(badRate.exitCode()).isEqualTo(2);
        assertThat(badRate.err()).contains("--attack-pps must be at least 1, not -5");
        CliRun badGenerator = CliRun.of("demo", "--generator", "pktgen");
        assertThat(badGenerator.exitCode()).isEqualTo(2);
        assertThat(badGenerator.err())
                .contains("levee demo: --generator: unknown generator 'pktgen' (known: auto, live, socket)");
        CliRun shortFleet = CliRun.of("demo", "--fleet", "--duration", "30");
        assertThat(shortFleet.exitCode()).isEqualTo(2);
        assertThat(shortFleet.err()).contains("--duration: the fleet demo needs at least 75 s");
        CliRun fleetWithAttacks = CliRun.of("demo", "--fleet", "--attacks", "syn");
        assertThat(fleetWithAttacks.exitCode()).isEqualTo(2);
        assertThat(fleetWithAttacks.err()).contains("--fleet runs its own schedule");
    }
}
