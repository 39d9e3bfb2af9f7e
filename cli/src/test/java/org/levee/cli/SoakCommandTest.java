package org.levee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.testing.Requirements;

/**
 * The two-minute soak CI runs (the 30-minute one is in docs/security.md): every check passes, the
 * report says so check by check, and the lab leaves nothing behind.
 */
@Tag("kernel")
class SoakCommandTest {

    @Test
    void aTwoMinuteSoakPassesEveryCheck(@TempDir Path dir) throws Exception {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        Path report = dir.resolve("soak");

        CliRun run = CliRun.of("soak", "--duration", "2m", "--report", report.toString());

        System.out.println(run.out());
        JsonNode json = new JsonMapper().readTree(Files.readString(report.resolve("soak.json")));
        assertThat(json.get("checks")).hasSize(7);
        json.get("checks")
                .forEach(
                        c -> assertThat(c.get("passed").asBoolean()).as("%s", c).isTrue());
        assertThat(json.get("cycles")).hasSize(4);
        assertThat(json.get("cycles").get(3).get("marker_counted_total").asLong())
                .isEqualTo(4 * 20_000L);
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("ok     back_to_steady_level");
    }

    @Test
    void badOptionsAreOneLineAndExitCode2() {
        CliRun tooShort = CliRun.of("soak", "--duration", "30s");
        assertThat(tooShort.exitCode()).isEqualTo(2);
        assertThat(tooShort.err()).contains("at least 60 s");
        CliRun notADuration = CliRun.of("soak", "--duration", "soon");
        assertThat(notADuration.exitCode()).isEqualTo(2);
        assertThat(notADuration.err()).contains("--duration");
    }
}
