package org.levee.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.agent.fleet.FleetFixture.config;
import static org.levee.agent.fleet.FleetFixture.send;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapReader;
import org.levee.cbpf.pcap.PcapRecord;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.cbpf.testing.Command;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.netns.LabProcess;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.sflow.CounterSample;
import org.levee.sflow.FlowSample;
import org.levee.sflow.GenericInterfaceCounters;
import org.levee.sflow.RawPacketHeader;
import org.levee.sflow.SflowDatagram;
import org.levee.sflow.SflowDecoder;
import org.levee.sflow.SflowFormats;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * The edge's sFlow as a collector receives it, on a real UDP socket: every frame that reached the
 * interface is a flow sample whose raw header is the frame byte for byte (compared with what
 * tcpdump captured on the interface), at the sampling rate in force, with a growing sample pool
 * and the ring buffer's losses as drops, sequence numbers without gaps; interface counter
 * samples at the configured interval; and tshark's sFlow dissector reads a datagram the edge sent.
 */
@Tag("kernel")
class SflowExportTest {
    static final String EDGE = "192.0.2.2";

    @TempDir
    Path state;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        Requirements.command("tcpdump");
        Requirements.command("tshark");
    }

    @Test
    void samplesAndCountersReachTheCollectorAsTheyWereOnTheWire() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1);
                NetnsLab lab = NetnsLab.create();
                FleetFixture.SflowSink sink = new FleetFixture.SflowSink()) {
            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, EDGE + "/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), ns);
            Path pcap = state.resolve("edge.pcap");
            Path tcpdumpLog = state.resolve("tcpdump.log");
            try (FleetEdge edge = FleetEdge.start(
                    config(state.resolve("state"), "ams", "edge-1", etcd.endpoints(), sink.port(), 1),
                    XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 1))) {
                int ifIndex = edge.dataPlane().attachment().ifindex();
                LabProcess tcpdump = lab.spawn(
                        "tcpdump",
                        ns,
                        tcpdumpLog,
                        List.of(
                                "tcpdump",
                                "-i",
                                veth.interfaceB(),
                                "-n",
                                "-U",
                                "--immediate-mode",
                                "-B",
                                "4096",
                                "-w",
                                pcap.toString(),
                                "udp and dst port 7000"));
                Eventually.await(
                        Duration.ofSeconds(10),
                        "tcpdump listening",
                        () -> Files.exists(tcpdumpLog) && read(tcpdumpLog).contains("listening on"));
                send(peer, EDGE, 9999, 1); // ARP
                Thread.sleep(200);
                send(peer, EDGE, 7000, 50);
                Eventually.await(
                        Duration.ofSeconds(10),
                        "50 frames sampled and sent",
                        () -> udpSamples(sink, 7000).size() >= 50);
                Thread.sleep(500);
                tcpdump.close();

                List<SflowDatagram> datagrams = decoded(sink);
                List<FlowSample> samples = datagrams.stream()
                        .flatMap(d -> d.flowSamples().stream())
                        .toList();
                assertThat(datagrams).allSatisfy(d -> {
                    assertThat(d.agentAddress()).isEqualTo(InetAddress.getLoopbackAddress());
                    assertThat(d.subAgentId())
                            .as("sub-agent: the interface's index")
                            .isEqualTo(ifIndex);
                });
                assertThat(datagrams)
                        .extracting(SflowDatagram::sequenceNumber)
                        .as("datagram sequence numbers")
                        .containsExactlyElementsOf(range(1, datagrams.size()));
                assertThat(samples)
                        .extracting(FlowSample::sequenceNumber)
                        .as("flow sample sequence numbers")
                        .containsExactlyElementsOf(range(1, samples.size()));
                long lost = edge.dataPlane().totals().samplesLost();
                long pool = 0;
                for (FlowSample s : samples) {
                    assertThat(s.samplingRate()).isEqualTo(1);
                    assertThat(s.source().index()).isEqualTo(ifIndex);
                    assertThat(s.samplePool())
                            .as("sample pool grows by at least the rate")
                            .isGreaterThanOrEqualTo(pool + 1);
                    pool = s.samplePool();
                    assertThat(s.drops()).as("drops: the ring buffer's losses").isEqualTo(lost);
                }
                assertThat(pool)
                        .as("pool within the packets seen")
                        .isLessThanOrEqualTo(edge.dataPlane().totals().seen() + samples.size());

                // every frame tcpdump saw on the interface is the raw header of one sample, byte for byte
                List<RawPacketHeader> headers = udpSamples(sink, 7000);
                assertThat(headers).as("one sample per frame").hasSize(50);
                assertThat(headers)
                        .extracting(h -> h.header()[14 + 20 + 8] & 0xff)
                        .as("the frames' numbers, in order")
                        .containsExactlyElementsOf(
                                range(0, 50).stream().map(Long::intValue).toList());
                List<byte[]> frames = PcapReader.read(Files.readAllBytes(pcap)).stream()
                        .map(PcapRecord::data)
                        .toList();
                // tcpdump may lose frames of a burst (its buffer), never the data plane's sampler at 1 in 1
                assertThat(frames)
                        .as("frames tcpdump captured; its log: %s", read(tcpdumpLog))
                        .hasSizeGreaterThanOrEqualTo(10);
                for (byte[] frame : frames) {
                    RawPacketHeader h = headers.get(frame[14 + 20 + 8] & 0xff);
                    assertThat(h.headerProtocol()).isEqualTo(SflowFormats.HEADER_PROTOCOL_ETHERNET);
                    assertThat(h.frameLength()).isEqualTo(frame.length).isEqualTo(14 + 20 + 8 + 32);
                    assertThat(HexFormat.of().formatHex(h.header()))
                            .isEqualTo(HexFormat.of().formatHex(frame));
                }

                // counter samples every 2 s (the test's interval; 10 s by default)
                Eventually.await(
                        Duration.ofSeconds(10),
                        "three counter samples",
                        () -> counterTimes(sink).size() >= 3);
                List<Long> times = counterTimes(sink);
                for (int i = 1; i < times.size(); i++) {
                    assertThat(Duration.ofNanos(times.get(i) - times.get(i - 1)))
                            .as("between counter samples")
                            .isBetween(Duration.ofMillis(1_500), Duration.ofMillis(2_500));
                }
                GenericInterfaceCounters counters = decoded(sink).stream()
                        .flatMap(d -> d.counterSamples().stream())
                        .map(c -> (GenericInterfaceCounters) c.records().getFirst())
                        .toList()
                        .getLast();
                String dev = lab.exec(ns, "cat", "/proc/net/dev").output();
                InterfaceCounters.NetDev now = InterfaceCounters.parse(dev, veth.interfaceB());
                assertThat(counters.ifIndex()).isEqualTo(ifIndex);
                assertThat(counters.inUnicastPackets())
                        .as("packets received, as the interface's namespace counts them")
                        .isBetween(51L, now.rxPackets());
                assertThat(counters.inOctets())
                        .as("octets (the kernel counts them without the Ethernet header)")
                        .isBetween(50L * (20 + 8 + 32), now.rxBytes());
                assertThat(counters.ifStatus())
                        .isEqualTo(GenericInterfaceCounters.STATUS_ADMIN_UP | GenericInterfaceCounters.STATUS_OPER_UP);

                // tshark reads a datagram the edge sent
                SflowDatagram first = datagrams.stream()
                        .filter(d -> d.flowSamples().stream()
                                .anyMatch(f ->
                                        toPort((RawPacketHeader) f.records().getFirst(), 7000)))
                        .findFirst()
                        .orElseThrow();
                byte[] bytes = sink.all().stream()
                        .filter(r -> decode(r.bytes()).sequenceNumber() == first.sequenceNumber())
                        .findFirst()
                        .orElseThrow()
                        .bytes();
                Path sflowPcap = state.resolve("sflow.pcap");
                try (PcapWriter writer = PcapWriter.create(sflowPcap, LinkType.EN10MB)) {
                    byte[] frame = udpFrame(bytes);
                    writer.write(1_796_600_000_000_000_000L, frame, frame.length);
                }
                String[] fields = Command.run(
                                "tshark",
                                "-n",
                                "-r",
                                sflowPcap.toString(),
                                "-T",
                                "fields",
                                "-E",
                                "separator=|",
                                "-E",
                                "occurrence=a",
                                "-E",
                                "aggregator=,",
                                "-e",
                                "sflow_245.version",
                                "-e",
                                "sflow_245.agent",
                                "-e",
                                "sflow_245.sub_agent_id",
                                "-e",
                                "sflow.flow_sample.sampling_rate",
                                "-e",
                                "sflow.flow_sample.sample_pool",
                                "-e",
                                "sflow.flow_sample.dropped_packets",
                                "-e",
                                "sflow_245.header.frame_length",
                                "-e",
                                "udp.dstport",
                                "-e",
                                "_ws.malformed")
                        .strip()
                        .split("\\|", -1);
                System.out.println("tshark: " + String.join(" | ", fields));
                List<FlowSample> firstSamples = first.flowSamples();
                assertThat(fields[0]).isEqualTo("5");
                assertThat(fields[1]).isEqualTo("127.0.0.1");
                assertThat(fields[2]).isEqualTo(Integer.toString(ifIndex));
                assertThat(fields[3])
                        .isEqualTo(join(firstSamples.stream()
                                .map(FlowSample::samplingRate)
                                .toList()));
                assertThat(fields[4])
                        .isEqualTo(join(firstSamples.stream()
                                .map(FlowSample::samplePool)
                                .toList()));
                assertThat(fields[5])
                        .isEqualTo(join(
                                firstSamples.stream().map(FlowSample::drops).toList()));
                assertThat(fields[6])
                        .isEqualTo(join(firstSamples.stream()
                                .map(s -> ((RawPacketHeader) s.records().getFirst()).frameLength())
                                .toList()));
                assertThat(fields[7])
                        .as("the sampled headers decoded as UDP")
                        .startsWith("6343,")
                        .contains("7000");
                assertThat(fields[8]).as("nothing malformed").isEmpty();
            } finally {
                Attachment.detach(layout);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static List<Long> range(long from, long count) {
        List<Long> numbers = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            numbers.add(from + i);
        }
        return numbers;
    }

    private static String join(List<?> values) {
        return String.join(",", values.stream().map(Object::toString).toList());
    }

    private static SflowDatagram decode(byte[] bytes) {
        try {
            return SflowDecoder.decode(bytes);
        } catch (Exception e) {
            throw new AssertionError("the edge sent a datagram our decoder refuses: " + e.getMessage(), e);
        }
    }

    private static List<SflowDatagram> decoded(FleetFixture.SflowSink sink) {
        return sink.all().stream().map(r -> decode(r.bytes())).toList();
    }

    /** The raw headers of the flow samples of UDP frames to {@code port}, in order. */
    private static List<RawPacketHeader> udpSamples(FleetFixture.SflowSink sink, int port) {
        List<RawPacketHeader> headers = new ArrayList<>();
        for (SflowDatagram d : decoded(sink)) {
            for (FlowSample s : d.flowSamples()) {
                RawPacketHeader h = (RawPacketHeader) s.records().getFirst();
                if (toPort(h, port)) {
                    headers.add(h);
                }
            }
        }
        return headers;
    }

    /** True when {@code h} holds an IPv4 UDP datagram to {@code port}. */
    private static boolean toPort(RawPacketHeader h, int port) {
        ByteBuffer b = ByteBuffer.wrap(h.header());
        return h.header().length >= 14 + 20 + 8
                && b.getShort(12) == 0x0800
                && h.header()[23] == 17
                && (b.getShort(14 + 20 + 2) & 0xffff) == port;
    }

    /** When each counter sample arrived. */
    private static List<Long> counterTimes(FleetFixture.SflowSink sink) {
        List<Long> times = new ArrayList<>();
        for (FleetFixture.SflowSink.Received r : sink.all()) {
            for (CounterSample ignored : decode(r.bytes()).counterSamples()) {
                times.add(r.nanos());
            }
        }
        return times;
    }

    /** {@code payload} in an Ethernet/IPv4/UDP frame from 127.0.0.1 to 127.0.0.1:6343 (UDP checksum 0: none). */
    private static byte[] udpFrame(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        b.put(new byte[12]).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + 8 + payload.length))
                .putShort((short) 0)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) 17)
                .putShort((short) 0)
                .put(new byte[] {127, 0, 0, 1})
                .put(new byte[] {127, 0, 0, 1});
        int sum = 0;
        for (int i = ip; i < ip + 20; i += 2) {
            sum += b.getShort(i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(ip + 10, (short) ~sum);
        b.putShort((short) 40_000)
                .putShort((short) 6343)
                .putShort((short) (8 + payload.length))
                .putShort((short) 0)
                .put(payload);
        return Arrays.copyOf(b.array(), b.capacity());
    }
}
