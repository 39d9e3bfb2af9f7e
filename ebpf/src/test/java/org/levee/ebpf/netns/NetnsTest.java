package org.levee.ebpf.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.SyscallException;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.testing.Requirements;

/** {@link Netns#run}: code joins a lab's namespace on a platform thread of its own; its results and exceptions come back. */
@Tag("kernel")
class NetnsTest {
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
                    .isInstanceOfSatisfying(
                            SyscallException.class,
                            e -> assertThat(e.errnoName()).isEqualTo("ENODEV"));
            // The calling thread stays in the host namespace.
            assertThat(Thread.currentThread().isVirtual()).isFalse();
            assertThat(Netns.run(a, () -> Thread.currentThread().isVirtual())).isFalse();
        }
    }

    @Test
    void exceptionsInsideANamespaceReachTheCaller() {
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            assertThatThrownBy(() -> Netns.run(a, () -> {
                        throw new IOException("from inside");
                    }))
                    .isInstanceOf(IOException.class)
                    .hasMessage("from inside");
        }
        assertThatThrownBy(() -> Netns.run("lv-no-such-ns", () -> 1))
                .hasMessageContaining("no network namespace 'lv-no-such-ns'");
        assertThatThrownBy(() -> Netns.path("../etc")).hasMessageContaining("invalid network namespace name");
    }
}
