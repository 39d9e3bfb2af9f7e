package org.levee.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;
import org.levee.ebpf.LiveFrames;
import org.levee.testing.Requirements;

@Tag("kernel")
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
            Check check = DoctorChecks.all().get(i);
            assertThat(lines.get(i)).startsWith(check.name());
            if (check.required()) {
                assertThat(lines.get(i)).contains(" ok");
            }
        }
        // The live-frames line matches what the kernel really does, refused or not, and never fails.
        String live = lines.stream()
                .filter(l -> l.startsWith("XDP live frames"))
                .findFirst()
                .orElseThrow();
        if (LiveFrames.probe().supported()) {
            assertThat(live).contains(" ok (");
        } else {
            assertThat(live)
                    .contains(" note: this kernel refuses BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES")
                    .contains("socket (AF_XDP) generator");
        }
        assertThat(lines)
                .filteredOn(l -> l.startsWith("AF_XDP sockets"))
                .singleElement()
                .asString()
                .contains(" ok (");
        assertThat(run.out()).doesNotContain("FAIL");
        assertThat(run.exitCode()).as(run.out()).isZero();
    }

    @Test
    void aNoteIsNeitherOkNorAFailure() {
        CheckResult note = CheckResult.note("no live frames; the socket generator is used");
        assertThat(note.render()).isEqualTo("note: no live frames; the socket generator is used");
        assertThat(note.ok()).as("a note never fails the doctor").isTrue();
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
        assertThat(KernelVersion.parse("5.4.0").compareTo(DoctorChecks.MINIMUM_KERNEL))
                .isNegative();
        assertThat(KernelVersion.parse("5.18.1").compareTo(DoctorChecks.MINIMUM_KERNEL))
                .isZero();
        assertThat(KernelVersion.parse("10.0").compareTo(DoctorChecks.MINIMUM_KERNEL))
                .isPositive();
        assertThatThrownBy(() -> KernelVersion.parse("banana")).hasMessageContaining("banana");
    }

    @Test
    void okLinesCarryTheirDetail() {
        assertThat(CheckResult.ok("root").render()).isEqualTo("ok (root)");
        assertThat(CheckResult.ok("").render()).isEqualTo("ok");
    }
}
