package org.levee.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.netns.Netns;
import org.levee.ebpf.netns.NetnsLab;
import org.levee.ebpf.netns.VethPair;
import org.levee.ebpf.testing.Requirements;

/**
 * BPF_PROG_TEST_RUN in live-frames mode: an XDP_TX program run on veth end A really transmits
 * the frame, which end B's stack delivers to a UDP socket. This is how the lab's flood generator
 * sends; the test pins down the attr layout (flags, batch size, xdp_md context).
 */
class LiveFramesTest {
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");
    private static final int FRAMES = 5;

    @Test
    void anXdpTxProgramRunWithLiveFramesSendsRealPackets() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair pair = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
            byte[] macA = mac(lab, a, pair.interfaceA());
            byte[] macB = mac(lab, b, pair.interfaceB());
            byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);

            try (Program passer = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(TestPrograms.XDP_PASS)));
                 Program transmitter = Program.load(ProgramSpec.xdp("tx", TestPrograms.returning(3)));
                 // A native XDP program on B gives it the NAPI context veth needs to receive XDP frames.
                 XdpLink receiveSide = Netns.run(b, () -> XdpLink.attach(passer, pair.interfaceB(), XdpMode.NATIVE));
                 DatagramSocket receiver = Netns.run(b, () -> new DatagramSocket(new InetSocketAddress(pair.hostB(), 0)))) {
                receiver.setSoTimeout(3000);
                byte[] frame = udpFrame(macB, macA, new byte[] {(byte) 192, 0, 2, 1}, new byte[] {(byte) 192, 0, 2, 2},
                        receiver.getLocalPort(), token);
                TestRunResult result = Netns.run(a, () -> {
                    int ifindexA = NetworkInterfaces.index(pair.interfaceA());
                    TestRun run = new TestRun(frame, FRAMES, 0, xdpMd(frame.length, ifindexA),
                            TestRun.F_XDP_LIVE_FRAMES, 0, 16);
                    return transmitter.testRun(run);
                });
                assertThat(result.dataOut()).isEmpty();

                int received = 0;
                DatagramPacket packet = new DatagramPacket(new byte[256], 256);
                try {
                    while (received < FRAMES) {
                        receiver.receive(packet);
                        assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII))
                                .isEqualTo(new String(token, StandardCharsets.US_ASCII));
                        received++;
                    }
                } catch (SocketTimeoutException e) {
                    // fall through: the assertion below reports how many arrived
                }
                assertThat(received).isEqualTo(FRAMES);
            }
        }
    }

    /** {@code struct xdp_md}: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
    private static byte[] xdpMd(int length, int ingressIfindex) {
        return ByteBuffer.allocate(24).order(ByteOrder.nativeOrder())
                .putInt(0).putInt(length).putInt(0).putInt(ingressIfindex).putInt(0).putInt(0).array();
    }

    private static byte[] mac(NetnsLab lab, String namespace, String device) {
        String out = lab.exec(namespace, "ip", "-o", "link", "show", "dev", device).output();
        Matcher m = MAC.matcher(out);
        assertThat(m.find()).as("MAC address in: %s", out).isTrue();
        return HexFormat.ofDelimiter(":").parseHex(m.group(1));
    }

    /** Ethernet + IPv4 (with header checksum) + UDP (checksum 0: none) carrying {@code payload}. */
    private static byte[] udpFrame(byte[] dstMac, byte[] srcMac, byte[] srcIp, byte[] dstIp, int dstPort, byte[] payload) {
        int ipLength = 20 + 8 + payload.length;
        ByteBuffer f = ByteBuffer.allocate(14 + ipLength).order(ByteOrder.BIG_ENDIAN);
        f.put(dstMac).put(srcMac).putShort((short) 0x0800);
        int ipStart = f.position();
        f.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(srcIp).put(dstIp);
        int sum = 0;
        for (int i = ipStart; i < ipStart + 20; i += 2) {
            sum += f.getShort(i) & 0xffff;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        f.putShort(ipStart + 10, (short) ~sum);
        f.putShort((short) 40000).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        f.put(payload);
        return f.array();
    }
}
