package org.levee.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.levee.netns.NetnsLab;

/** Frames and addresses for the tests that send real packets between namespaces. */
public final class XdpFramesForTests {
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private XdpFramesForTests() {}

    /** The MAC address of {@code device} in {@code namespace}. */
    @SuppressWarnings("exports") // the netns module is on the tests' class path only
    public static byte[] mac(NetnsLab lab, String namespace, String device) {
        String out =
                lab.exec(namespace, "ip", "-o", "link", "show", "dev", device).output();
        Matcher m = MAC.matcher(out);
        assertThat(m.find()).as("MAC address in: %s", out).isTrue();
        return HexFormat.ofDelimiter(":").parseHex(m.group(1));
    }

    /** Ethernet + IPv4 (with header checksum) + UDP (checksum 0: none) carrying {@code payload}. */
    public static byte[] udp(byte[] dstMac, byte[] srcMac, byte[] srcIp, byte[] dstIp, int dstPort, byte[] payload) {
        int ipLength = 20 + 8 + payload.length;
        ByteBuffer f = ByteBuffer.allocate(14 + ipLength).order(ByteOrder.BIG_ENDIAN);
        f.put(dstMac).put(srcMac).putShort((short) 0x0800);
        int ipStart = f.position();
        f.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) ipLength)
                .putShort((short) 1)
                .putShort((short) 0)
                .put((byte) 64)
                .put((byte) 17)
                .putShort((short) 0)
                .put(srcIp)
                .put(dstIp);
        int sum = 0;
        for (int i = ipStart; i < ipStart + 20; i += 2) {
            sum += f.getShort(i) & 0xffff;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        f.putShort(ipStart + 10, (short) ~sum);
        f.putShort((short) 40000)
                .putShort((short) dstPort)
                .putShort((short) (8 + payload.length))
                .putShort((short) 0);
        f.put(payload);
        return f.array();
    }
}
