package org.levee.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.internal.Errno;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.testing.Requirements;

/**
 * BPF_PROG_TEST_RUN in live-frames mode: an XDP_TX program run on veth end A really transmits
 * the frame, which end B's stack delivers to a UDP socket. This is how the lab's fastest flood
 * generator sends; the test pins down the attr layout (flags, batch size, xdp_md context).
 *
 * <p>Some kernels refuse live frames (EPERM even for root). There the test checks instead that
 * {@link LiveFrames#probe()} detects the refusal, and that a real live run fails with the very
 * errno the probe reported: either way the test checks what it claims, and never skips.
 */
@Tag("kernel")
class LiveFramesTest {
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");
    private static final int FRAMES = 5;

    @Test
    void anXdpTxProgramRunWithLiveFramesSendsRealPacketsOrTheRefusalIsDetected() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair pair = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
            byte[] macA = XdpFramesForTests.mac(lab, a, pair.interfaceA());
            byte[] macB = XdpFramesForTests.mac(lab, b, pair.interfaceB());
            byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);

            try (Program passer = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(TestPrograms.XDP_PASS)));
                    Program transmitter = Program.load(ProgramSpec.xdp("tx", TestPrograms.returning(3)));
                    // A native XDP program on B gives it the NAPI context veth needs to receive XDP frames.
                    XdpLink receiveSide =
                            Netns.run(b, () -> XdpLink.attach(passer, pair.interfaceB(), XdpMode.NATIVE));
                    DatagramSocket receiver =
                            Netns.run(b, () -> new DatagramSocket(new InetSocketAddress(pair.hostB(), 0)))) {
                receiver.setSoTimeout(3000);
                byte[] frame = XdpFramesForTests.udp(
                        macB,
                        macA,
                        new byte[] {(byte) 192, 0, 2, 1},
                        new byte[] {(byte) 192, 0, 2, 2},
                        receiver.getLocalPort(),
                        token);
                LiveFrames.Support support = LiveFrames.probe();
                assertThat(LiveFrames.support()).as("the cached answer").isEqualTo(support);
                Callable<TestRunResult> send = () -> Netns.run(a, () -> {
                    int ifindexA = NetworkInterfaces.index(pair.interfaceA());
                    TestRun run = new TestRun(
                            frame, FRAMES, 0, xdpMd(frame.length, ifindexA), TestRun.F_XDP_LIVE_FRAMES, 0, 16);
                    return transmitter.testRun(run);
                });
                if (!support.supported()) {
                    System.out.println("live frames: " + support.describe());
                    assertThat(support.errno()).as("errno of the refusal").isNotZero();
                    assertThat(support.describe()).contains("refuses").contains(Errno.name(support.errno()));
                    assertThatThrownBy(send::call)
                            .isInstanceOf(SyscallException.class)
                            .satisfies(e -> assertThat(((SyscallException) e).errno())
                                    .as("errno of a real live run")
                                    .isEqualTo(support.errno()));
                    return;
                }
                assertThat(send.call().dataOut()).isEmpty();

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
        return ByteBuffer.allocate(24)
                .order(ByteOrder.nativeOrder())
                .putInt(0)
                .putInt(length)
                .putInt(0)
                .putInt(ingressIfindex)
                .putInt(0)
                .putInt(0)
                .array();
    }
}
