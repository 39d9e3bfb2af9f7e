package org.levee.ebpf.xsk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.SyscallException;
import org.levee.ebpf.XdpFramesForTests;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.testing.Requirements;

/**
 * An AF_XDP socket in copy mode on veth end A: frames laid out in the UMEM arrive at end B's
 * UDP socket byte for byte and in order, every completion is counted, descriptors outside the
 * UMEM are refused and counted by the kernel, and a queue is free again right after its socket
 * closes.
 */
@Tag("kernel")
class XdpSocketTest {
    private static final int FRAMES = 300;

    private static NetnsLab lab;
    private static VethPair pair;
    private static byte[] macA;
    private static byte[] macB;

    @BeforeAll
    static void setUp() {
        Requirements.root();
        Requirements.command("ip");
        lab = NetnsLab.create();
        String a = lab.addNamespace("a");
        String b = lab.addNamespace("b");
        pair = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
        macA = XdpFramesForTests.mac(lab, a, pair.interfaceA());
        macB = XdpFramesForTests.mac(lab, b, pair.interfaceB());
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void framesFromTheUmemArriveIntactAndInOrder() throws Exception {
        try (Umem umem = Umem.allocate(FRAMES * 128L);
                DatagramSocket receiver =
                        Netns.run(pair.namespaceB(), () -> new DatagramSocket(new InetSocketAddress(pair.hostB(), 0)));
                XdpSocket socket = open(umem, 0, 64)) {
            receiver.setSoTimeout(3000);
            receiver.setReceiveBufferSize(1 << 20);
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < FRAMES; i++) {
                byte[] frame = frame(receiver.getLocalPort(), "frame " + i);
                frames.add(frame);
                MemorySegment.copy(frame, 0, umem.memory(), ValueLayout.JAVA_BYTE, i * 128L, frame.length);
            }
            long completed = 0;
            int next = 0;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (completed < FRAMES && System.nanoTime() < deadline) {
                // The ring (64) is smaller than the batch (300): the socket refills it as the kernel drains it.
                int n = Math.min(socket.transmitSpace(), FRAMES - next);
                for (int i = 0; i < n; i++, next++) {
                    socket.put(next * 128L, frames.get(next).length);
                }
                socket.submit();
                socket.kick();
                completed += socket.reap();
            }
            assertThat(completed).as("completed descriptors").isEqualTo(FRAMES);
            assertThat(socket.pending()).isZero();
            assertThat(socket.statistics().invalidDescriptors()).isZero();
            DatagramPacket packet = new DatagramPacket(new byte[256], 256);
            for (int i = 0; i < FRAMES; i++) {
                receiver.receive(packet);
                assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII))
                        .as("datagram %d", i)
                        .isEqualTo("frame " + i);
            }
        }
    }

    @Test
    void aDescriptorOutsideTheUmemIsRefusedAndCountedByTheKernel() throws Exception {
        try (Umem umem = Umem.allocate(4096);
                DatagramSocket receiver =
                        Netns.run(pair.namespaceB(), () -> new DatagramSocket(new InetSocketAddress(pair.hostB(), 0)));
                XdpSocket socket = open(umem, 0, 16)) {
            receiver.setSoTimeout(500);
            byte[] frame = frame(receiver.getLocalPort(), "inside");
            MemorySegment.copy(frame, 0, umem.memory(), ValueLayout.JAVA_BYTE, 0, frame.length);
            socket.put(umem.byteSize() + 4096, frame.length); // past the end of the UMEM
            socket.put(0, frame.length);
            socket.submit();
            socket.kick();
            assertThat(socket.statistics().invalidDescriptors())
                    .as("descriptors the kernel refused")
                    .isEqualTo(1);
            DatagramPacket packet = new DatagramPacket(new byte[256], 256);
            receiver.receive(packet);
            assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII))
                    .isEqualTo("inside");
            assertThatThrownBy(() -> receiver.receive(packet)).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aQueueIsFreeAgainRightAfterItsSocketCloses() throws Exception {
        // The kernel releases a closed socket's queue in a work item; the bind retries meanwhile.
        try (Umem umem = Umem.allocate(4096)) {
            for (int i = 0; i < 10; i++) {
                open(umem, 0, 16).close();
            }
        }
    }

    @Test
    void aQueueTheInterfaceLacksIsRefusedWithWhereInTheMessage() {
        try (Umem umem = Umem.allocate(4096)) {
            assertThatThrownBy(() -> open(umem, 7, 16))
                    .isInstanceOf(SyscallException.class)
                    .hasMessageContaining("bind failed")
                    .hasMessageContaining("queue 7");
            assertThatThrownBy(() -> XdpSocket.openForTransmit(1, 0, umem, 100))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("100 is not a power of two");
        }
    }

    private static XdpSocket open(Umem umem, int queue, int ringSize) throws Exception {
        return Netns.run(
                pair.namespaceA(),
                () -> XdpSocket.openForTransmit(NetworkInterfaces.index(pair.interfaceA()), queue, umem, ringSize));
    }

    private static byte[] frame(int port, String payload) {
        return XdpFramesForTests.udp(
                macB,
                macA,
                new byte[] {(byte) 192, 0, 2, 1},
                new byte[] {(byte) 192, 0, 2, 2},
                port,
                payload.getBytes(StandardCharsets.US_ASCII));
    }
}
