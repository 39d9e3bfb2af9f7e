package org.levee.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.testing.Requirements;

/**
 * XDP links on a veth inside a namespace, with real traffic: UDP and ping from the peer namespace.
 * The programs sit on end B (receiver); A sends.
 */
@Tag("kernel")
class XdpLinkTest {
    private static final Duration DROPPED_WAIT = Duration.ofMillis(400);
    private static final Duration DELIVERED_WAIT = Duration.ofSeconds(3);

    private NetnsLab lab;
    private VethPair pair;

    @BeforeEach
    void setUp() {
        Requirements.root();
        Requirements.command("ip");
        Requirements.command("ping");
        lab = NetnsLab.create();
        String a = lab.addNamespace("a");
        String b = lab.addNamespace("b");
        pair = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aLinkedProgramDropsUdpWhilePingPasses_andUpdatesSwapPrograms() throws Exception {
        try (Program dropper = Program.load(ProgramSpec.xdp("dropudp", TestPrograms.dropIpv4Udp()));
                Program passer = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(TestPrograms.XDP_PASS)));
                Program stranger =
                        Program.load(ProgramSpec.xdp("stranger", TestPrograms.returning(TestPrograms.XDP_PASS)))) {
            assertThat(udpDelivered(DELIVERED_WAIT))
                    .as("UDP before any program")
                    .isTrue();

            int ifindex = Netns.run(pair.namespaceB(), () -> NetworkInterfaces.index(pair.interfaceB()));
            try (XdpLink link =
                    Netns.run(pair.namespaceB(), () -> XdpLink.attach(dropper, pair.interfaceB(), XdpMode.NATIVE))) {
                assertThat(link.info())
                        .isEqualTo(new LinkInfo(
                                LinkInfo.TYPE_XDP,
                                link.info().id(),
                                dropper.info().id(),
                                ifindex));
                assertThat(udpDelivered(DROPPED_WAIT))
                        .as("UDP with the dropper")
                        .isFalse();
                assertThat(ping()).as("ping with the dropper").isTrue();

                // A second link on the same interface is refused.
                assertThatThrownBy(() ->
                                Netns.run(pair.namespaceB(), () -> XdpLink.attach(passer, ifindex, XdpMode.NATIVE)))
                        .isInstanceOfSatisfying(BpfException.class, e -> {
                            assertThat(e.errnoName()).isEqualTo("EBUSY");
                            assertThat(e.hint()).contains("BPF_LINK_UPDATE");
                        });

                // Replacing with the wrong expected old program fails and leaves the dropper in place.
                assertThatThrownBy(() -> link.update(passer, stranger))
                        .isInstanceOfSatisfying(BpfException.class, e -> {
                            assertThat(e.errnoName()).isEqualTo("EPERM");
                            assertThat(e.command()).isEqualTo(BpfCommand.BPF_LINK_UPDATE);
                        });
                assertThat(link.info().programId()).isEqualTo(dropper.info().id());
                assertThat(udpDelivered(DROPPED_WAIT))
                        .as("UDP after a failed update")
                        .isFalse();

                link.update(passer, dropper);
                assertThat(link.info().programId()).isEqualTo(passer.info().id());
                assertThat(udpDelivered(DELIVERED_WAIT))
                        .as("UDP after swapping in the passer")
                        .isTrue();

                link.update(dropper);
                assertThat(link.info().programId()).isEqualTo(dropper.info().id());
                assertThat(udpDelivered(DROPPED_WAIT))
                        .as("UDP after swapping the dropper back")
                        .isFalse();

                try (XdpLink same = XdpLink.fromId(link.info().id())) {
                    assertThat(same.info()).isEqualTo(link.info());
                }

                link.detach();
                assertThat(link.info().ifindex()).isZero();
                assertThat(udpDelivered(DELIVERED_WAIT))
                        .as("UDP after detaching")
                        .isTrue();
            }
        }
    }

    @Test
    void pinnedLinksAndMapsOutliveTheProcesssFds() throws Exception {
        Path dir = BpfFs.directory(
                "levee-test-" + lab.id() + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            assertThat(BpfFs.isBpfFs(dir)).isTrue();
            Path linkPin = dir.resolve("link");
            Path mapPin = dir.resolve("map");
            int ifindex = Netns.run(pair.namespaceB(), () -> NetworkInterfaces.index(pair.interfaceB()));
            int programId;
            int linkId;
            try (BpfMap map = BpfMap.create(MapSpec.hash("pinned", 4, 8, 8));
                    Program dropper = Program.load(ProgramSpec.xdp("dropudp", TestPrograms.dropIpv4Udp()));
                    XdpLink link =
                            Netns.run(pair.namespaceB(), () -> XdpLink.attach(dropper, ifindex, XdpMode.NATIVE))) {
                map.put(7, 77L);
                map.pin(mapPin);
                link.pin(linkPin);
                programId = dropper.info().id();
                linkId = link.info().id();
            }
            // Every fd is closed: only the pins hold the link and the map.
            assertThat(udpDelivered(DROPPED_WAIT))
                    .as("UDP while only a pin holds the link")
                    .isFalse();
            try (XdpLink link = XdpLink.openPinned(linkPin);
                    BpfMap map = BpfMap.openPinned(mapPin)) {
                assertThat(link.info()).isEqualTo(new LinkInfo(LinkInfo.TYPE_XDP, linkId, programId, ifindex));
                assertThat(map.getLong(7)).contains(77L);
                assertThat(map.info().name()).isEqualTo("pinned");
            }
            assertThatThrownBy(() -> XdpLink.openPinned(mapPin))
                    .hasMessageContaining("refers to a BPF map, not a BPF link");
            assertThatThrownBy(() -> Program.openPinned(mapPin))
                    .hasMessageContaining("refers to a BPF map, not a BPF program");
            assertThat(BpfFs.unpin(linkPin)).isTrue();
            assertThat(BpfFs.unpin(linkPin)).isFalse();
            assertThat(eventually(() -> udpDelivered(Duration.ofMillis(500))))
                    .as("UDP once the pin is gone")
                    .isTrue();
            assertThatThrownBy(() -> XdpLink.openPinned(linkPin))
                    .isInstanceOfSatisfying(
                            BpfException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
        } finally {
            BpfFs.removeTree(dir);
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void genericModeAttachesToo() throws Exception {
        try (Program passer = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(TestPrograms.XDP_PASS)));
                XdpLink link = Netns.run(
                        pair.namespaceA(), () -> XdpLink.attach(passer, pair.interfaceA(), XdpMode.GENERIC))) {
            assertThat(link.info().programId()).isEqualTo(passer.info().id());
            assertThat(lab.exec(pair.namespaceA(), "ip", "link", "show", "dev", pair.interfaceA())
                            .output())
                    .contains("xdpgeneric");
            assertThat(ping()).isTrue();
        }
    }

    @Test
    void attachingToAMissingInterfaceNamesIt() {
        try (Program passer = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(TestPrograms.XDP_PASS)))) {
            assertThatThrownBy(() -> XdpLink.attach(passer, "lvnosuchif0", XdpMode.NATIVE))
                    .hasMessageContaining("no interface 'lvnosuchif0'");
        }
    }

    private boolean ping() {
        return lab.exec(pair.namespaceA(), "ping", "-c", "1", "-W", "2", pair.hostB())
                .succeeded();
    }

    /** Sends one UDP datagram from A to a socket in B; true when it arrives within {@code wait}. */
    private boolean udpDelivered(Duration wait) throws Exception {
        byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket receiver =
                Netns.run(pair.namespaceB(), () -> new DatagramSocket(new InetSocketAddress(pair.hostB(), 0)))) {
            receiver.setSoTimeout((int) wait.toMillis());
            int port = receiver.getLocalPort();
            Netns.run(pair.namespaceA(), () -> {
                try (DatagramSocket sender = new DatagramSocket()) {
                    sender.send(new DatagramPacket(token, token.length, new InetSocketAddress(pair.hostB(), port)));
                }
            });
            DatagramPacket packet = new DatagramPacket(new byte[token.length + 16], token.length + 16);
            try {
                receiver.receive(packet);
            } catch (SocketTimeoutException e) {
                return false;
            }
            return Arrays.equals(Arrays.copyOf(packet.getData(), packet.getLength()), token);
        }
    }

    private interface Check {
        boolean test() throws Exception;
    }

    /** Link release after the last reference happens asynchronously in the kernel: retry for up to 3 s. */
    private static boolean eventually(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.test()) {
                return true;
            }
        }
        return false;
    }
}
