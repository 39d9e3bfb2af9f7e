package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cli.CliRun;
import org.levee.testing.Requirements;

class RulesetCommandTest {
    static final String RULES = """
            version: v3
            rules:
              - {id: memcached-amp, filter: udp and src port 11211, action: drop, datacenters: [ams]}
              - {id: limit-dns, filter: udp and dst port 53, action: ratelimit, pps: 100, burst: 10}
              - {id: old, filter: tcp, action: drop, expires: "2020-01-01T00:00:00Z"}
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void requirements() {
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void compilesAndInspects() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), RULES);
        Path object = dir.resolve("rules.o");
        CliRun compile = CliRun.of("ruleset", "compile", rules.toString(), "-o", object.toString());
        assertThat(compile.exitCode()).as(compile.err()).isZero();
        assertThat(compile.out()).contains("3 rules, version v3, 1 program");
        assertThat(Files.size(object)).isPositive();

        CliRun ams = CliRun.of("ruleset", "inspect", object.toString(), "--datacenter", "ams");
        assertThat(ams.exitCode()).as(ams.err()).isZero();
        assertThat(ams.out())
                .containsPattern("memcached-amp +enabled")
                .containsPattern("limit-dns +enabled +ratelimit 100pps burst 10")
                .containsPattern("old +disabled");
        CliRun fra = CliRun.of("ruleset", "inspect", object.toString(), "--datacenter", "fra");
        assertThat(fra.out()).containsPattern("memcached-amp +disabled");
    }

    @Test
    void badInputIsOneClearErrorWithExitCode2() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                rules:
                  - {id: a, filter: udp, action: dorp}
                  - {id: b, filter: "udp and prot 5", action: drop}
                """);
        CliRun run = CliRun.of(
                "ruleset", "compile", bad.toString(), "-o", dir.resolve("x.o").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("rules[0] (id a): action: unknown value \"dorp\"");
        assertThat(dir.resolve("x.o")).doesNotExist();

        CliRun missing = CliRun.of(
                "ruleset",
                "compile",
                dir.resolve("none.yaml").toString(),
                "-o",
                dir.resolve("x.o").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("none.yaml does not exist");

        Path garbage = Files.writeString(dir.resolve("garbage.o"), "not an object");
        CliRun inspect = CliRun.of("ruleset", "inspect", garbage.toString());
        assertThat(inspect.exitCode()).isEqualTo(2);
        assertThat(inspect.err()).contains("garbage.o: not a BPF object");
    }
}
