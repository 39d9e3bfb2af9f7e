package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.BitSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.Counter;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.testing.Requirements;

/** Real packets over a veth pair between two namespaces, the program attached on the receiving end. */
@Tag("kernel")
class AttachmentTest {
    static final String SENDER = "192.0.2.1";
    static final String RECEIVER = "192.0.2.2";
    static final int FLOOD_PORT = 9000;
    static final int LEGIT_PORT = 9001;
    static final int OTHER_DC_PORT = 9002;

    static final String RULES_V1 = """
            version: v1
            rules:
              - id: flood
                filter: udp and dst port 9000
                destinations: [192.0.2.0/24]
                action: drop
              - id: elsewhere
                filter: udp and dst port 9002
                datacenters: [ams]
                action: drop
            """;
    static final String RULES_V2 = """
            version: v2
            rules:
              - id: flood-too
                cbpf: "%s"
                action: drop
              - id: flood
                filter: udp and dst port 9000
                action: drop
            """;

    NetnsLab lab;
    VethPair veth;
    PinLayout layout;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    @BeforeEach
    void lab() {
        lab = NetnsLab.create();
        String tx = lab.addNamespace("tx");
        String rx = lab.addNamespace("rx");
        veth = lab.addVeth(tx, SENDER + "/24", rx, RECEIVER + "/24");
        layout = new PinLayout(veth.interfaceB(), rx);
    }

    @AfterEach
    void cleanUp() {
        try {
            Attachment.detach(layout);
        } finally {
            lab.close();
        }
        assertThat(layout.directory().getParent()).doesNotExist();
    }

    @Test
    void dropsAndPassesRealPacketsWithExactCounts() throws Exception {
        RuleSetObject v1 = ProgramRunTest.compile(RULES_V1);
        Attachment.Result first = Attachment.attach(layout, v1, "fra", 0, XdpMode.NATIVE, Instant.now());
        assertThat(first.replaced()).isFalse();
        assertThat(first.enabled()).isEqualTo(1);

        try (DatagramSocket flood = receiver(FLOOD_PORT);
                DatagramSocket legit = receiver(LEGIT_PORT);
                DatagramSocket other = receiver(OTHER_DC_PORT)) {
            send(FLOOD_PORT, 25, 0);
            send(LEGIT_PORT, 25, 0);
            send(OTHER_DC_PORT, 25, 0);
            assertThat(drain(legit, 25)).hasSize(25);
            assertThat(drain(other, 25))
                    .as("a rule of another data center does nothing here")
                    .hasSize(25);
            assertThat(drain(flood, 1)).isEmpty();
        }
        Status status = Status.read(layout);
        assertThat(status.version()).isEqualTo("v1");
        assertThat(status.datacenter()).isEqualTo("fra");
        assertThat(status.rules())
                .extracting(Status.RuleStatus::id, Status.RuleStatus::enabled, Status.RuleStatus::packets)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("flood", true, 25L),
                        org.assertj.core.groups.Tuple.tuple("elsewhere", false, 0L));
        assertThat(status.rules().getFirst().bytes()).isEqualTo(25L * (14 + 20 + 8 + 4));
        assertThat(status.counters().get(Counter.DROPPED)).isEqualTo(25);
        assertThat(status.counters().get(Counter.SEEN))
                .isEqualTo(status.counters().get(Counter.DROPPED)
                        + status.counters().get(Counter.PASSED)
                        + status.counters().get(Counter.RATELIMITED));
        assertThat(status.counters().get(Counter.PASSED)).isGreaterThanOrEqualTo(50);
        assertThat(status.toJson()).contains("\"program_id\"", "\"samples_lost\"", "\"packets\" : 25");

        // a bad second attach (a namespace that does not exist) leaves the program running
        int programId = status.programId();
        assertThatThrownBy(() -> Attachment.attach(
                        new PinLayout(veth.interfaceB(), "lv-missing-" + lab.id()),
                        v1,
                        null,
                        null,
                        XdpMode.NATIVE,
                        Instant.now()))
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("no network namespace");
        assertThatThrownBy(() -> Attachment.attach(
                        new PinLayout("nosuch0", layout.netns()), v1, null, null, XdpMode.NATIVE, Instant.now()))
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("nosuch0");
        assertThat(Status.read(layout).programId()).isEqualTo(programId);

        // a swap keeps the counts of rules that stay
        Attachment.Result second = Attachment.attach(
                layout,
                ProgramRunTest.compile(RULES_V2.formatted(cbpfPort(FLOOD_PORT))),
                "fra",
                null,
                XdpMode.NATIVE,
                Instant.now());
        assertThat(second.replaced()).isTrue();
        assertThat(second.programId()).isNotEqualTo(programId);
        Status swapped = Status.read(layout);
        assertThat(swapped.version()).isEqualTo("v2");
        assertThat(swapped.rules()).extracting(Status.RuleStatus::id).containsExactly("flood-too", "flood");
        assertThat(swapped.rules().get(1).packets()).isEqualTo(25);
    }

    @Test
    void swapUnderFireLosesNoLegitimatePacketAndLetsNoFloodThrough() throws Exception {
        RuleSetObject a = ProgramRunTest.compile(RULES_V1);
        RuleSetObject b = ProgramRunTest.compile(RULES_V2.formatted(cbpfPort(FLOOD_PORT)));
        Attachment.attach(layout, a, "fra", 0, XdpMode.NATIVE, Instant.now());
        int legitCount = 2000;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger floodSent = new AtomicInteger();
        try (DatagramSocket flood = receiver(FLOOD_PORT);
                DatagramSocket legit = receiver(LEGIT_PORT)) {
            legit.setReceiveBufferSize(4 << 20);
            Thread floodThread = Thread.ofPlatform().start(() -> {
                try {
                    Netns.run(veth.namespaceA(), () -> {
                        try (DatagramSocket socket = new DatagramSocket()) {
                            DatagramPacket packet =
                                    new DatagramPacket(new byte[4], 4, new InetSocketAddress(RECEIVER, FLOOD_PORT));
                            while (!stop.get()) {
                                socket.send(packet);
                                floodSent.incrementAndGet();
                            }
                        }
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread legitThread = Thread.ofPlatform().start(() -> {
                try {
                    send(LEGIT_PORT, legitCount, 200_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int swaps = 0;
            while (legitThread.isAlive() || swaps < 100) {
                Attachment.attach(layout, swaps % 2 == 0 ? b : a, "fra", null, XdpMode.NATIVE, Instant.now());
                swaps++;
            }
            legitThread.join();
            stop.set(true);
            floodThread.join();
            BitSet seen = new BitSet();
            for (byte[] payload : drain(legit, legitCount)) {
                seen.set(ByteBuffer.wrap(payload).getInt());
            }
            assertThat(swaps).isGreaterThanOrEqualTo(100);
            assertThat(floodSent.get()).isGreaterThan(1000);
            assertThat(drain(flood, 1))
                    .as("flood packets that reached the socket")
                    .isEmpty();
            assertThat(seen.cardinality())
                    .as("legitimate packets received of " + legitCount)
                    .isEqualTo(legitCount);
        }
    }

    @Test
    void anInterfaceWithAnotherXdpProgramIsAClearErrorAndKeepsThatProgram() throws Exception {
        byte[] pass = org.levee.ebpf.asm.AssembledProgram.of(java.util.List.of(
                        org.levee.ebpf.asm.Instruction.mov64(org.levee.ebpf.asm.Register.R0, 2),
                        org.levee.ebpf.asm.Instruction.exit()))
                .encode();
        try (org.levee.ebpf.Program other = org.levee.ebpf.Program.load(org.levee.ebpf.ProgramSpec.xdp("other", pass));
                org.levee.ebpf.XdpLink link = Netns.run(veth.namespaceB(), (Callable<org.levee.ebpf.XdpLink>)
                        () -> org.levee.ebpf.XdpLink.attach(other, veth.interfaceB(), XdpMode.NATIVE))) {
            assertThatThrownBy(() -> Attachment.attach(
                            layout, ProgramRunTest.compile(RULES_V1), null, 0, XdpMode.NATIVE, Instant.now()))
                    .isInstanceOf(DataplaneException.class)
                    .hasMessageContaining("already has an XDP program that levee did not attach");
            assertThat(layout.directory().getParent())
                    .as("no pins left, not even the namespace's directory")
                    .doesNotExist();
            assertThat(link.info().programId()).isEqualTo(other.info().id());
        }
    }

    @Test
    void rateLimitsARealFloodToTheConfiguredRate() throws Exception {
        int pps = 500;
        int burst = 100;
        Attachment.attach(
                layout, ProgramRunTest.compile("""
                rules:
                  - {id: limit, filter: udp and dst port 9000, action: ratelimit, pps: %d, burst: %d}
                """.formatted(pps, burst)), null, 0, XdpMode.NATIVE, Instant.now());
        try (DatagramSocket flood = receiver(FLOOD_PORT)) {
            flood.setReceiveBufferSize(4 << 20);
            long[] window = Netns.run(veth.namespaceA(), (Callable<long[]>) () -> {
                try (DatagramSocket socket = new DatagramSocket()) {
                    DatagramPacket packet =
                            new DatagramPacket(new byte[4], 4, new InetSocketAddress(RECEIVER, FLOOD_PORT));
                    long sent = 0;
                    long begin = System.nanoTime();
                    long now = begin;
                    while (now - begin < 1_500_000_000L) {
                        socket.send(packet);
                        sent++;
                        now = System.nanoTime();
                    }
                    return new long[] {sent, now - begin};
                }
            });
            double seconds = window[1] / 1e9;
            double expected = pps * seconds + burst;
            int received = drain(flood, Integer.MAX_VALUE).size();
            System.out.printf(
                    "end to end: %d of %d packets received in %.3f s (expected %.0f)%n",
                    received, window[0], seconds, expected);
            assertThat(window[0] / seconds).as("offered rate").isGreaterThan(10.0 * pps);
            assertThat((double) received).isBetween(expected * 0.95, expected * 1.05);
            Status status = Status.read(layout);
            assertThat(status.counters().get(Counter.RATELIMITED)).isEqualTo(window[0] - received);
        }
    }

    /** "udp and dst port N" as comma bytecode, so the second rule set uses another match source. */
    static String cbpfPort(int port) {
        return org.levee.cbpf.CbpfText.printBytecode(org.levee.cbpf.pcap.Libpcap.compile("udp and dst port " + port));
    }

    DatagramSocket receiver(int port) throws Exception {
        return Netns.run(veth.namespaceB(), (Callable<DatagramSocket>) () -> {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(RECEIVER, port));
            socket.setSoTimeout(300);
            return socket;
        });
    }

    /** Sends {@code count} 4-byte packets numbered 0..count-1, pausing {@code gapNanos} between them. */
    void send(int port, int count, long gapNanos) throws Exception {
        Netns.run(veth.namespaceA(), () -> {
            try (DatagramSocket socket = new DatagramSocket()) {
                for (int i = 0; i < count; i++) {
                    byte[] payload = ByteBuffer.allocate(4).putInt(i).array();
                    socket.send(new DatagramPacket(payload, 4, new InetSocketAddress(RECEIVER, port)));
                    if (gapNanos > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(gapNanos);
                    }
                }
            }
        });
    }

    static java.util.List<byte[]> drain(DatagramSocket socket, int max) throws Exception {
        java.util.List<byte[]> received = new java.util.ArrayList<>();
        byte[] buffer = new byte[2048];
        while (received.size() < max) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                break;
            }
            received.add(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        }
        return received;
    }
}
