package org.levee.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.testing.Requirements;

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
                assertThat(lab.exec(a, "ping", "-c", "1", "-W", "2", pair.hostB()).succeeded()).isTrue();
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
                    .hasMessageContaining("not-an-address").hasMessageContaining("exited with");
            names = lab.namespaces();
        }
        assertThat(names).hasSize(2).allSatisfy(n -> assertThat(NetnsLab.exists(n)).isFalse());
        assertThatThrownBy(() -> lab.addNamespace("c")).hasMessageContaining("closed");
    }

    @Test
    void labsCheckTheirArguments() {
        try (NetnsLab lab = NetnsLab.create()) {
            assertThatThrownBy(() -> lab.addNamespace("Bad Role")).hasMessageContaining("'Bad Role'");
            assertThatThrownBy(() -> lab.exec("somebody-elses", "true")).hasMessageContaining("does not belong to lab");
        }
    }
}
