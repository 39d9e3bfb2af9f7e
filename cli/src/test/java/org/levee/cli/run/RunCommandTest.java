package org.levee.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cli.CliRun;

/** {@code levee run} refuses bad input before touching any interface. */
class RunCommandTest {

    @TempDir
    Path dir;

    @Test
    void aBadConfigIsReportedWithTheKeyPath() throws Exception {
        Path config = dir.resolve("levee.yaml");
        Files.writeString(config, "detector:\n  host_thresholds:\n    udp: {ppss: 5}\n");
        CliRun r = CliRun.of("run", "-i", "lo", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("levee run: " + config + ": detector.host_thresholds.udp.ppss: unknown key (known here: bps, pps)\n");
    }

    @Test
    void badFlagsAreNamed() {
        CliRun both = CliRun.of("run", "-i", "lo", "--sample-rate", "10", "--samples-per-second", "100");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("either --sample-rate or --samples-per-second");
        CliRun api = CliRun.of("run", "-i", "lo", "--api", "localhost");
        assertThat(api.exitCode()).isEqualTo(2);
        assertThat(api.err()).contains("--api: 'localhost' is not host:port");
        CliRun dc = CliRun.of("run", "-i", "lo", "--datacenter", "a b");
        assertThat(dc.exitCode()).isEqualTo(2);
        assertThat(dc.err()).contains("--datacenter 'a b' is not a data center name");
        CliRun missing = CliRun.of("run");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--interface");
    }

    @Test
    void aMissingInterfaceIsNamed() {
        org.levee.testing.Requirements.root();
        CliRun r = CliRun.of("run", "-i", "nosuch" + Long.toHexString(System.nanoTime()).substring(0, 6),
                "--state-dir", dir.toString(), "--api", "127.0.0.1:0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("levee run: no interface nosuch");
    }
}
