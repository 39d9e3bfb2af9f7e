package org.levee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void helpListsEveryCommandWithADescription() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("Usage: levee")
                .contains("doctor")
                .contains("Check that this machine")
                .contains("run")
                .contains("rules");
    }

    @Test
    void versionNamesLeveeAndJava() {
        CliRun run = CliRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("levee \\d+\\.\\d+\\.\\d+").contains("Java 25");
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun run = CliRun.of("no-such-command");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no-such-command");
    }
}
