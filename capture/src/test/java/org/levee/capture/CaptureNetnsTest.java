package org.levee.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.capture.testing.Tools;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.testing.Requirements;

/**
 * Real traffic between two network namespaces through Levee's data plane, attached to the
 * receiver's veth (native XDP) with one rule dropping {@code udp dst port 9}: 100 datagrams to
 * port 9 and 100 to port 10, captured through the hook the data plane pins, into pcapng read back
 * by tshark and tcpdump.
 */
@Tag("kernel")
class CaptureNetnsTest {
    private static final int PER_PORT = 100;

    @TempDir
    Path dir;

    private NetnsLab lab;
    private static final String RULES = """
            version: capture-test
            rules:
              - id: discard
                filter: udp dst port 9
                action: drop
            """;

    private PinLayout layout;
    private Path hookPath;
    private VethPair veth;
    private DatagramSocket port9;
    private DatagramSocket port10;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        Requirements.command("tshark");
        Requirements.command("tcpdump");
        Requirements.command("ping");
        lab = NetnsLab.create();
        String sender = lab.addNamespace("snd");
        String receiver = lab.addNamespace("rcv");
        veth = lab.addVeth(sender, "192.0.2.1/24", receiver, "192.0.2.2/24");
        RuleSet rules = RuleCodec.parse("capture-test.yaml", RULES);
        RuleSetObject object = RuleSetObject.compile(
                rules, new RuleFilters().compile("capture-test.yaml", rules), new ProgramBuilder());
        layout = new PinLayout(veth.interfaceB(), receiver);
        Attachment.attach(layout, object, null, 0, XdpMode.NATIVE, Instant.now());
        hookPath = CaptureHook.defaultPath(veth.interfaceB(), receiver);
        port9 = Netns.run(receiver, () -> bound(9));
        port10 = Netns.run(receiver, () -> bound(10));
        // resolve the neighbour first, so no datagram waits for ARP
        assertThat(lab.exec(sender, "ping", "-c", "1", "-W", "2", veth.hostB()).succeeded())
                .isTrue();
    }

    @AfterEach
    void tearDown() {
        if (layout != null) {
            Attachment.detach(layout);
            try {
                // detach leaves the namespace's directory: remove it when no other interface uses it
                Files.deleteIfExists(layout.directory().getParent());
            } catch (IOException ignored) {
                // not empty: another interface of the namespace is still attached
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {port9, port10, lab}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort: the lab removes the namespaces and with them the veths
                }
            }
        }
    }

    @Test
    void dropsAndPassesAreCapturedOnTheirInterfacesWithTheBytesSent() throws Exception {
        List<byte[]> firstRound = send(new Random(1));
        assertThat(drain(port10)).as("without capture").hasSize(PER_PORT);
        assertThat(drain(port9)).as("dropped by the data plane").isEmpty();

        Path file = dir.resolve("udp.pcapng");
        List<byte[]> sent;
        try (CaptureSession session = CaptureSession.start(CaptureSession.Spec.of(
                        hookPath, EnumSet.of(XdpAction.DROP, XdpAction.PASS), CaptureFilter.expression("udp")));
                PacketOutput out = PacketOutput.pcapng(
                        Files.newOutputStream(file),
                        session.actions(),
                        session.filter(),
                        session.snaplen(),
                        "levee capture on " + veth.interfaceB(),
                        false)) {
            sent = send(new Random(2));
            CaptureLoop.End end =
                    CaptureLoop.run(session, out, 2 * PER_PORT, deadline(Duration.ofSeconds(20)), null, s -> {});
            assertThat(end).isEqualTo(CaptureLoop.End.COUNT_REACHED);
            assertThat(session.stats()).allSatisfy(s -> {
                assertThat(s.received()).isGreaterThanOrEqualTo(PER_PORT);
                assertThat(s.matched()).isEqualTo(PER_PORT);
                assertThat(s.lost()).isZero();
            });
        }
        assertThat(hookEmpty()).isTrue();
        assertThat(drain(port10)).as("with capture: the same verdicts").hasSize(PER_PORT);
        assertThat(drain(port9)).isEmpty();
        assertThat(firstRound).hasSameSizeAs(sent);

        List<String[]> rows = Tools.tsharkFields(
                file, "frame.interface_name", "frame.verdict.ebpf_xdp", "udp.dstport", "udp.payload");
        Map<String, Long> perInterface = rows.stream().collect(Collectors.groupingBy(r -> r[0], Collectors.counting()));
        assertThat(perInterface)
                .containsOnly(Map.entry("XDPdrop", (long) PER_PORT), Map.entry("XDPpass", (long) PER_PORT));
        for (String[] row : rows) {
            assertThat(row[1]).isEqualTo(row[0].equals("XDPdrop") ? "1" : "2");
            assertThat(row[2]).isEqualTo(row[0].equals("XDPdrop") ? "9" : "10");
        }
        assertThat(rows.stream().map(r -> r[3]).toList())
                .containsExactlyInAnyOrderElementsOf(
                        sent.stream().map(HexFormat.of()::formatHex).toList());
        assertThat(Tools.run("tcpdump", "-nn", "-r", file.toString()).lines().filter(l -> l.contains("UDP, length")))
                .hasSize(2 * PER_PORT);
    }

    @Test
    void aPortFilterKeepsOnlyItsPackets() throws Exception {
        List<CaptureRecord> records = new ArrayList<>();
        try (CaptureSession session = CaptureSession.start(CaptureSession.Spec.of(
                hookPath, EnumSet.allOf(XdpAction.class), CaptureFilter.expression("udp dst port 10")))) {
            send(new Random(3));
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (records.size() < PER_PORT && System.nanoTime() < until) {
                session.poll(Duration.ofMillis(200), records::add);
            }
            session.poll(Duration.ofMillis(300), records::add); // anything extra would show up now
            Map<XdpAction, ActionStats> stats =
                    session.stats().stream().collect(Collectors.toMap(ActionStats::action, Function.identity()));
            assertThat(stats.get(XdpAction.DROP).received()).isEqualTo(PER_PORT);
            assertThat(stats.get(XdpAction.DROP).matched()).isZero();
            assertThat(stats.get(XdpAction.PASS).matched()).isEqualTo(PER_PORT);
        }
        assertThat(records).hasSize(PER_PORT).allSatisfy(r -> {
            assertThat(r.action()).isEqualTo(XdpAction.PASS);
            assertThat(PacketSummary.describe(r.data()))
                    .isEqualTo("IP 192.0.2.1." + (((r.data()[34] & 0xff) << 8) | (r.data()[35] & 0xff))
                            + " > 192.0.2.2.10: UDP");
        });
        assertThat(drain(port10)).hasSize(PER_PORT);
    }

    /** Sends PER_PORT datagrams to port 9 and PER_PORT to port 10, interleaved; returns the payloads. */
    private List<byte[]> send(Random random) throws Exception {
        return Netns.run(veth.namespaceA(), () -> {
            List<byte[]> payloads = new ArrayList<>();
            InetAddress to = InetAddress.getByName(veth.hostB());
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(veth.hostA(), 0))) {
                for (int i = 0; i < 2 * PER_PORT; i++) {
                    byte[] payload = new byte[8 + random.nextInt(200)];
                    random.nextBytes(payload);
                    socket.send(new DatagramPacket(payload, payload.length, to, i % 2 == 0 ? 9 : 10));
                    payloads.add(payload);
                }
            }
            return payloads;
        });
    }

    private boolean hookEmpty() {
        try (BpfMap hook = BpfMap.openPinned(hookPath)) {
            for (XdpAction action : XdpAction.values()) {
                if (hook.lookup(BpfMap.intBytes(action.code())).isPresent()) {
                    return false;
                }
            }
            return true;
        }
    }

    private static DatagramSocket bound(int port) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("192.0.2.2", port));
        s.setReceiveBufferSize(1 << 20);
        return s;
    }

    /** Everything waiting on {@code socket}, waiting up to half a second after the last datagram. */
    private static List<byte[]> drain(DatagramSocket socket) throws Exception {
        List<byte[]> got = new ArrayList<>();
        socket.setSoTimeout(500);
        byte[] buffer = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return got;
            }
            got.add(Arrays.copyOf(p.getData(), p.getLength()));
        }
    }

    private static BooleanSupplier deadline(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        return () -> System.nanoTime() > until;
    }
}
