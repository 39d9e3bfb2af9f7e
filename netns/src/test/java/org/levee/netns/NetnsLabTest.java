package org.levee.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.testing.Requirements;

@Tag("kernel")
class NetnsLabTest {
    @BeforeEach
    void needsRoot() {
        Requirements.root();
        Requirements.command("ip");
    }

    @Test
    void labNamespacesReachEachOtherAndAreRemovedOnClose() {
        List<String> names;
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair pair = lab.addVeth(a, "198.51.100.1/24", b, "198.51.100.2/24");
            names = lab.namespaces();
            assertThat(names).allSatisfy(n -> assertThat(NetnsLab.exists(n)).isTrue());
            assertThat(pair.interfaceA()).hasSizeLessThanOrEqualTo(15).contains(lab.id());
            CommandResult ping = lab.exec(a, "ip", "-o", "addr", "show", "dev", pair.interfaceA());
            assertThat(ping.succeeded()).isTrue();
            assertThat(ping.output()).contains("198.51.100.1/24");
            if (Requirements.onPath("ping")) {
                assertThat(lab.exec(a, "ping", "-c", "1", "-W", "2", pair.hostB())
                                .succeeded())
                        .isTrue();
            }
        }
        assertThat(names).allSatisfy(n -> assertThat(NetnsLab.exists(n)).isFalse());
    }

    @Test
    void aSetupFailingHalfWayLeavesNothingBehind() {
        List<String> names;
        NetnsLab lab = NetnsLab.create();
        try (lab) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            assertThatThrownBy(() -> lab.addVeth(a, "not-an-address", b, "192.0.2.2/24"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not-an-address")
                    .hasMessageContaining("exited with");
            names = lab.namespaces();
        }
        assertThat(names)
                .hasSize(2)
                .allSatisfy(n -> assertThat(NetnsLab.exists(n)).isFalse());
        assertThatThrownBy(() -> lab.addNamespace("c")).hasMessageContaining("closed");
    }

    @Test
    void aSpawnedProcessRunsInItsNamespaceAndStopsWithTheLab(@TempDir Path dir) throws Exception {
        LabProcess process;
        Path log = dir.resolve("p.log");
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair pair = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
            process = lab.spawn("shell", a, log, List.of("sh", "-c", "ip -o addr show; exec sleep 600"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.readString(log).contains("192.0.2.1/24") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readString(log))
                    .as("the process's view of the network")
                    .contains(pair.interfaceA())
                    .contains("192.0.2.1/24")
                    .doesNotContain(pair.interfaceB());
            assertThat(process.alive()).isTrue();
            assertThat(Files.readString(NetnsLab.RECORDS.resolve(lab.id() + ".lab")))
                    .contains("process " + process.pid() + " ");
        }
        assertThat(process.alive()).as("stopped when the lab closed").isFalse();
        assertThat(ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
    }

    @Test
    void labsCheckTheirArguments() {
        try (NetnsLab lab = NetnsLab.create()) {
            assertThatThrownBy(() -> lab.addNamespace("Bad Role")).hasMessageContaining("'Bad Role'");
            assertThatThrownBy(() -> lab.exec("somebody-elses", "true")).hasMessageContaining("does not belong to lab");
        }
    }
}
