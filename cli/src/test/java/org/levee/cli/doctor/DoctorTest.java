package org.levee.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;
import org.levee.ebpf.testing.Requirements;

class DoctorTest {

    @Test
    void everyCheckPassesOnThisMachineAndPrintsOneLineEach() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        Requirements.command("ip");
        CliRun run = CliRun.of("doctor");

        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(DoctorChecks.all().size());
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).startsWith(DoctorChecks.all().get(i).name()).contains(" ok");
        }
        assertThat(run.exitCode()).as(run.out()).isZero();
    }

    @Test
    void aFailureSaysWhyAndHowToFixIt() {
        Check failing = new Check("always", true, () -> CheckResult.fail("it broke", "fix it"));
        assertThat(failing.run().render()).isEqualTo("FAIL: it broke — fix it");
    }

    @Test
    void anExceptionInAProbeIsAFailureNotACrash() {
        Check throwing = new Check("throws", true, () -> {
            throw new IllegalStateException("no such file\nsecond line");
        });
        CheckResult result = throwing.run();
        assertThat(result.ok()).isFalse();
        assertThat(result.render()).startsWith("FAIL: no such file — ");
    }

    @Test
    void kernelVersionsCompareByMajorThenMinor() {
        assertThat(KernelVersion.parse("6.18.44-fc-v595")).isEqualTo(new KernelVersion(6, 18));
        assertThat(KernelVersion.parse("5.4.0").compareTo(DoctorChecks.MINIMUM_KERNEL)).isNegative();
        assertThat(KernelVersion.parse("5.18.1").compareTo(DoctorChecks.MINIMUM_KERNEL)).isZero();
        assertThat(KernelVersion.parse("10.0").compareTo(DoctorChecks.MINIMUM_KERNEL)).isPositive();
        assertThatThrownBy(() -> KernelVersion.parse("banana")).hasMessageContaining("banana");
    }

    @Test
    void okLinesCarryTheirDetail() {
        assertThat(CheckResult.ok("root").render()).isEqualTo("ok (root)");
        assertThat(CheckResult.ok("").render()).isEqualTo("ok");
    }
}
