package org.levee.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.levee.capture.testing.Frames;
import org.levee.ebpf.XdpAction;

class PacketSummaryTest {
    @Test
    void ipv4UdpAndTcpShowAddressesAndPorts() {
        assertThat(PacketSummary.line(
                        1_764_083_385_123_456_789L,
                        ZoneOffset.UTC,
                        XdpAction.DROP,
                        Frames.ipv4(Frames.UDP, 5353, 9, new byte[3]),
                        45))
                .isEqualTo("15:09:45.123456789 drop IP 192.0.2.1.5353 > 192.0.2.2.9: UDP, length 45");
        assertThat(PacketSummary.describe(Frames.ipv4(Frames.TCP, 40000, 80, new byte[0])))
                .isEqualTo("IP 192.0.2.1.40000 > 192.0.2.2.80: TCP");
    }

    @Test
    void vlanTagsAreSkippedAndIpv6IsDecoded() {
        byte[] ipv6 = HexFormat.of()
                .parseHex("020000000002" + "020000000001" + "8100" + "0064" + "86dd"
                        + "60000000" + "0008" + "11" + "40"
                        + "20010db8000000000000000000000001" + "20010db8000000000000000000000002"
                        + "14e9" + "0035" + "0008" + "0000");
        assertThat(PacketSummary.describe(ipv6))
                .isEqualTo("IP6 2001:db8:0:0:0:0:0:1.5353 > 2001:db8:0:0:0:0:0:2.53: UDP");
    }

    @Test
    void otherAndTruncatedFramesSayWhatTheyAre() {
        byte[] frame = Frames.ipv4(Frames.UDP, 1, 2, new byte[0]);
        assertThat(PacketSummary.describe(Arrays.copyOf(frame, 20))).isEqualTo("IP truncated");
        assertThat(PacketSummary.describe(Arrays.copyOf(frame, 10))).isEqualTo("truncated Ethernet frame");
        assertThat(PacketSummary.describe(Arrays.copyOf(frame, 36))).isEqualTo("IP 192.0.2.1 > 192.0.2.2: UDP");
        byte[] arp = ByteBuffer.allocate(42)
                .put(12, (byte) 0x08)
                .put(13, (byte) 0x06)
                .array();
        assertThat(PacketSummary.describe(arp)).isEqualTo("ARP");
        byte[] lldp = ByteBuffer.allocate(60).putShort(12, (short) 0x88cc).array();
        assertThat(PacketSummary.describe(lldp)).isEqualTo("ethertype 0x88cc");
        byte[] icmp = Frames.ipv4(Frames.UDP, 1, 2, new byte[4]);
        icmp[14 + 9] = 1;
        assertThat(PacketSummary.describe(icmp)).isEqualTo("IP 192.0.2.1 > 192.0.2.2: ICMP");
    }
}
