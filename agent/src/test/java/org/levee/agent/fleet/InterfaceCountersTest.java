package org.levee.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** /proc/net/dev as the kernel writes it (6.18), read field by field. */
class InterfaceCountersTest {
    static final String NET_DEV = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     840      12    0    0    0     0          0         0      840      12    0    0    0     0       0          0
            lv3aad16b0:   60562    1008    1    2    0     0          0         7      410       5    3    4    0     0       0          0
            eth0: 18446744073709551615 9 0 0 0 0 0 0 1 1 0 0 0 0 0 0
            """;

    @Test
    void readsTheLineOfTheInterface() throws IOException {
        InterfaceCounters.NetDev dev = InterfaceCounters.parse(NET_DEV, "lv3aad16b0");
        assertThat(dev).isEqualTo(new InterfaceCounters.NetDev(60562, 1008, 1, 2, 7, 410, 5, 3, 4));
        assertThat(InterfaceCounters.parse(NET_DEV, "eth0").rxBytes())
                .as("unsigned 64 bits")
                .isEqualTo(-1L);
    }

    @Test
    void aMissingOrBrokenLineIsNamed() {
        assertThatThrownBy(() -> InterfaceCounters.parse(NET_DEV, "lv3aad16b"))
                .hasMessage("/proc/net/dev has no line for lv3aad16b");
        assertThatThrownBy(() -> InterfaceCounters.parse("x: 1 2 3\n", "x"))
                .hasMessage("/proc/net/dev: the line of x has 3 fields, not 16");
        assertThatThrownBy(() -> InterfaceCounters.parse("x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 z\n", "x"))
                .hasMessageStartingWith("/proc/net/dev: the line of x is not numbers");
    }
}
