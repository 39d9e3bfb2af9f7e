package org.levee.ebpf.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.SyscallException;
import org.levee.ebpf.testing.Requirements;

class NetnsLabTest {
    @BeforeEach
    void needsRoot() {
        Requirements.root();
        Requirements.command("ip");
    }

    @Test
    void codeRunInANamespaceSeesThatNamespacesInterfaces() throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair pair = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");

            int inB = Netns.run(b, () -> NetworkInterfaces.index(pair.interfaceB()));
            assertThat(inB).isPositive();
            assertThat(Netns.run(b, () -> NetworkInterfaces.index("lo"))).isEqualTo(1);
            assertThatThrownBy(() -> Netns.run(a, () -> NetworkInterfaces.index(pair.interfaceB())))
                    .isInstanceOf(SyscallException.class)
                    .hasMessageContaining("no interface '" + pair.interfaceB() + "'");
            assertThatThrownBy(() -> NetworkInterfaces.index(pair.interfaceA()))
                    .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ENODEV"));
            // The calling thread stays in the host namespace.
            assertThat(Thread.currentThread().isVirtual()).isFalse();
            assertThat(Netns.run(a, () -> Thread.currentThread().isVirtual())).isFalse();
        }
    }

    @Test
    void labNamespacesReachEachOtherAndAreRemovedOnClose() {
        List<String> names;
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair pair = lab.addVeth(a, "198.51.100.1/24", b, "198.51.100.2/24");
            names = lab.namespaces();
            assertThat(names).allSatisfy(n -> assertThat(Netns.exists(n)).isTrue());
            assertThat(pair.interfaceA()).hasSizeLessThanOrEqualTo(15).contains(lab.id());
            CommandResult ping = lab.exec(a, "ip", "-o", "addr", "show", "dev", pair.interfaceA());
            assertThat(ping.succeeded()).isTrue();
            assertThat(ping.output()).contains("198.51.100.1/24");
            if (Requirements.onPath("ping")) {
                assertThat(lab.exec(a, "ping", "-c", "1", "-W", "2", pair.hostB()).succeeded()).isTrue();
            }
        }
        assertThat(names).allSatisfy(n -> assertThat(Netns.exists(n)).isFalse());
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
                    .hasMessageContaining("not-an-address").hasMessageContaining("exited with");
            names = lab.namespaces();
        }
        assertThat(names).hasSize(2).allSatisfy(n -> assertThat(Netns.exists(n)).isFalse());
        assertThatThrownBy(() -> lab.addNamespace("c")).hasMessageContaining("closed");
    }

    @Test
    void exceptionsInsideANamespaceReachTheCaller() {
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            assertThatThrownBy(() -> Netns.run(a, () -> {
                throw new IOException("from inside");
            })).isInstanceOf(IOException.class).hasMessage("from inside");
        }
        assertThatThrownBy(() -> Netns.run("lv-no-such-ns", () -> 1)).hasMessageContaining("no network namespace 'lv-no-such-ns'");
        assertThatThrownBy(() -> Netns.path("../etc")).hasMessageContaining("invalid network namespace name");
    }

    @Test
    void labsCheckTheirArguments() {
        try (NetnsLab lab = NetnsLab.create()) {
            assertThatThrownBy(() -> lab.addNamespace("Bad Role")).hasMessageContaining("'Bad Role'");
            assertThatThrownBy(() -> lab.exec("somebody-elses", "true")).hasMessageContaining("does not belong to lab");
        }
    }
}
