package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.cbpf.testing.Command;
import org.levee.sflow.testing.TestFrames;
import org.levee.testing.Requirements;

/**
 * Wireshark's own sFlow dissector reads what we write: our datagrams, carried in UDP frames to port
 * 6343 in a pcap, decoded by {@code tshark}, field by field, with the sampled headers decoded as
 * the Ethernet/IP packets they are.
 */
class TsharkInteropTest {
    static final InetAddress EDGE = TestFrames.v4(192, 0, 2, 10);
    static final InetAddress CONTROLLER = TestFrames.v4(192, 0, 2, 20);

    /** One sampled packet, as the test knows it. */
    record Packet(
            InetAddress source,
            InetAddress destination,
            int protocol,
            int sourcePort,
            int destinationPort,
            byte[] frame) {}

    static Packet packet(Random random, boolean v6) {
        InetAddress source = v6
                ? TestFrames.address("2001:db8::" + Integer.toHexString(1 + random.nextInt(0xfff)))
                : TestFrames.v4(203, 0, 113, 1 + random.nextInt(250));
        InetAddress destination = v6
                ? TestFrames.address("2001:db8:1::" + Integer.toHexString(1 + random.nextInt(0xfff)))
                : TestFrames.v4(198, 51, 100, 1 + random.nextInt(250));
        int protocol = random.nextBoolean() ? TestFrames.UDP : TestFrames.TCP;
        int sourcePort = 1024 + random.nextInt(60_000);
        int destinationPort = 1 + random.nextInt(1023);
        byte[] payload = new byte[random.nextInt(3) == 0 ? 200 + random.nextInt(1200) : random.nextInt(60)];
        random.nextBytes(payload);
        return new Packet(
                source,
                destination,
                protocol,
                sourcePort,
                destinationPort,
                TestFrames.frame(source, destination, protocol, sourcePort, destinationPort, payload));
    }

    static List<String> tshark(Path pcap, String... fields) {
        List<String> command = new ArrayList<>(List.of(
                "tshark",
                "-n",
                "-r",
                pcap.toString(),
                "-T",
                "fields",
                "-E",
                "separator=|",
                "-E",
                "occurrence=a",
                "-E",
                "aggregator=,"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        return Command.run(command.toArray(String[]::new)).lines().toList();
    }

    static String joined(List<?> values) {
        return String.join(",", values.stream().map(Object::toString).toList());
    }

    static String ip(InetAddress address) {
        return address.getHostAddress().replaceAll("(^|:)0+(?=[0-9a-f])", "$1").replaceFirst("(:0)+:", "::");
    }

    @Test
    void tsharkDecodesOurFlowSamples(@TempDir Path dir) throws Exception {
        Requirements.command("tshark");
        Random random = new Random(0x75_4A2C);
        InetAddress agent4 = TestFrames.v4(192, 0, 2, 9);
        InetAddress agent6 = TestFrames.address("2001:db8::9");

        // Many packets, packed into datagrams as the exporter packs them; IPv4 then IPv6 agents.
        List<List<Packet>> perDatagram = new ArrayList<>();
        List<SflowDatagram> datagrams = new ArrayList<>();
        for (InetAddress agent : List.of(agent4, agent6)) {
            List<Packet> packets = new ArrayList<>();
            List<SflowSample> samples = new ArrayList<>();
            boolean v6 = agent == agent6;
            for (int i = 0; i < 40; i++) {
                Packet packet = packet(random, v6);
                packets.add(packet);
                byte[] header = Arrays.copyOf(packet.frame(), Math.min(packet.frame().length, 128));
                long rate = 1L << (6 + random.nextInt(10));
                samples.add(new FlowSample(
                        i + 1,
                        SourceId.ifIndex(7),
                        rate,
                        rate * (i + 1),
                        i / 10,
                        InterfaceId.ifIndex(7),
                        InterfaceId.UNKNOWN,
                        List.of(new RawPacketHeader(
                                SflowFormats.HEADER_PROTOCOL_ETHERNET, packet.frame().length + 4, 4, header)),
                        v6)); // the IPv6 agent writes expanded samples
            }
            for (SflowDatagram datagram : new SflowPacker(agent, 3, 1400).pack(samples, 123_456)) {
                datagrams.add(datagram);
                perDatagram.add(
                        new ArrayList<>(packets.subList(0, datagram.samples().size())));
                packets.subList(0, datagram.samples().size()).clear();
            }
        }
        Path pcap = dir.resolve("sflow.pcap");
        try (PcapWriter writer = PcapWriter.create(pcap, LinkType.EN10MB)) {
            long time = 1_796_600_000_000_000_000L;
            for (SflowDatagram datagram : datagrams) {
                byte[] frame = TestFrames.udp(
                        EDGE, 40_000, CONTROLLER, SflowAddresses.DEFAULT_PORT, SflowEncoder.encode(datagram));
                writer.write(time += 1_000_000, frame, frame.length);
            }
        }

        List<String> rows = tshark(
                pcap,
                "sflow_245.version",
                "sflow_245.agent",
                "sflow_245.agent.v6",
                "sflow_245.sub_agent_id",
                "sflow_245.sequence_number",
                "sflow_245.sysuptime",
                "sflow_245.numsamples",
                "sflow.flow_sample.sequence_number",
                "sflow.flow_sample.sampling_rate",
                "sflow.flow_sample.sample_pool",
                "sflow.flow_sample.dropped_packets",
                "sflow_245.header_protocol",
                "sflow_245.header.frame_length",
                "sflow_245.header.payload_stripped",
                "sflow_245.header.sampled_header_length",
                "sflow_245.header",
                "ip.src",
                "ip.dst",
                "ipv6.src",
                "ipv6.dst",
                "udp.srcport",
                "tcp.srcport",
                "_ws.malformed");
        assertThat(rows).hasSize(datagrams.size());
        for (int d = 0; d < datagrams.size(); d++) {
            SflowDatagram datagram = datagrams.get(d);
            List<Packet> packets = perDatagram.get(d);
            List<FlowSample> samples = datagram.flowSamples();
            boolean v6 = datagram.agentAddress() == agent6;
            String[] f = rows.get(d).split("\\|", -1);
            String row = "datagram " + d + ": " + rows.get(d);
            assertThat(f[0]).as(row).isEqualTo("5");
            assertThat(v6 ? f[2] : f[1]).as(row).isEqualTo(ip(datagram.agentAddress()));
            assertThat(f[3]).as(row).isEqualTo("3");
            assertThat(f[4]).as(row).isEqualTo(Long.toString(datagram.sequenceNumber()));
            assertThat(f[5]).as(row).isEqualTo("123456");
            assertThat(f[6]).as(row).isEqualTo(Integer.toString(samples.size()));
            assertThat(f[7])
                    .as(row)
                    .isEqualTo(joined(
                            samples.stream().map(FlowSample::sequenceNumber).toList()));
            assertThat(f[8])
                    .as(row)
                    .isEqualTo(joined(
                            samples.stream().map(FlowSample::samplingRate).toList()));
            assertThat(f[9])
                    .as(row)
                    .isEqualTo(
                            joined(samples.stream().map(FlowSample::samplePool).toList()));
            assertThat(f[10])
                    .as(row)
                    .isEqualTo(joined(samples.stream().map(FlowSample::drops).toList()));
            List<RawPacketHeader> headers = samples.stream()
                    .map(s -> (RawPacketHeader) s.records().getFirst())
                    .toList();
            assertThat(f[11])
                    .as(row)
                    .isEqualTo(joined(headers.stream().map(h -> 1).toList()));
            assertThat(f[12])
                    .as(row)
                    .isEqualTo(joined(
                            headers.stream().map(RawPacketHeader::frameLength).toList()));
            assertThat(f[13])
                    .as(row)
                    .isEqualTo(joined(headers.stream().map(h -> 4).toList()));
            assertThat(f[14])
                    .as(row)
                    .isEqualTo(joined(
                            headers.stream().map(RawPacketHeader::headerLength).toList()));
            // tshark shows a header with the XDR padding that follows it (zeros up to 4-byte alignment).
            assertThat(f[15])
                    .as(row)
                    .isEqualTo(joined(headers.stream()
                            .map(h -> HexFormat.of().formatHex(Arrays.copyOf(h.header(), (h.headerLength() + 3) & ~3)))
                            .toList()));
            // The sampled headers decoded as packets: the outer IPv4 frame first, then each sample's.
            List<String> sources = new ArrayList<>(List.of(ip(EDGE)));
            List<String> destinations = new ArrayList<>(List.of(ip(CONTROLLER)));
            List<String> udpSources = new ArrayList<>(List.of("40000"));
            List<String> tcpSources = new ArrayList<>();
            List<String> sources6 = new ArrayList<>();
            List<String> destinations6 = new ArrayList<>();
            for (Packet packet : packets) {
                (v6 ? sources6 : sources).add(ip(packet.source()));
                (v6 ? destinations6 : destinations).add(ip(packet.destination()));
                (packet.protocol() == TestFrames.UDP ? udpSources : tcpSources)
                        .add(Integer.toString(packet.sourcePort()));
            }
            assertThat(f[16]).as(row).isEqualTo(String.join(",", sources));
            assertThat(f[17]).as(row).isEqualTo(String.join(",", destinations));
            assertThat(f[18]).as(row).isEqualTo(String.join(",", sources6));
            assertThat(f[19]).as(row).isEqualTo(String.join(",", destinations6));
            assertThat(f[20]).as(row).isEqualTo(String.join(",", udpSources));
            assertThat(f[21]).as(row).isEqualTo(String.join(",", tcpSources));
            assertThat(f[22]).as("tshark found nothing malformed: " + row).isEmpty();
        }
    }

    @Test
    void tsharkDecodesOurCounterSamples(@TempDir Path dir) throws Exception {
        Requirements.command("tshark");
        GenericInterfaceCounters counters = GenericInterfaceCounters.builder(7)
                .ifSpeed(10_000_000_000L)
                .inOctets(123_456_789_012L)
                .inUnicastPackets(1_000_001)
                .inMulticastPackets(12)
                .inBroadcastPackets(3)
                .inDiscards(4)
                .inErrors(5)
                .inUnknownProtocols(6)
                .outOctets(987_654_321L)
                .outUnicastPackets(7_777)
                .outMulticastPackets(8)
                .outBroadcastPackets(9)
                .outDiscards(10)
                .outErrors(11)
                .promiscuous(false)
                .build();
        SflowDatagram datagram =
                new SflowDatagram(TestFrames.v4(192, 0, 2, 9), 1, 5, 10_000, List.of(CounterSample.of(42, counters)));
        Path pcap = dir.resolve("counters.pcap");
        byte[] frame = TestFrames.udp(EDGE, 40_000, CONTROLLER, 6343, SflowEncoder.encode(datagram));
        try (PcapWriter writer = PcapWriter.create(pcap, LinkType.EN10MB)) {
            writer.write(1_000_000_000L, frame, frame.length);
        }
        List<String> rows = tshark(
                pcap,
                "sflow.counters_sample.sequence_number",
                "sflow.counters_sample.source_id_type",
                "sflow.counters_sample.source_id_index",
                "sflow_245.ifindex",
                "sflow_245.iftype",
                "sflow_245.ifspeed",
                "sflow_245.ifdirection",
                "sflow_245.ifadmin_status",
                "sflow_245.ifoper_status",
                "sflow_245.ifinoct",
                "sflow_245.ifinpkt",
                "sflow_245.ifinmcast",
                "sflow_245.ifinbcast",
                "sflow_245.ifindisc",
                "sflow_245.ifinerr",
                "sflow_245.ifinunk",
                "sflow_245.ifoutoct",
                "sflow_245.ifoutpkt",
                "sflow_245.ifoutmcast",
                "sflow_245.ifoutbcast",
                "sflow_245.ifoutdisc",
                "sflow_245.ifouterr",
                "sflow_245.ifpromisc",
                "_ws.malformed");
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst())
                .isEqualTo(String.join(
                        "|",
                        "42",
                        "0",
                        "7",
                        "7",
                        "6",
                        "10000000000",
                        "1",
                        "1",
                        "1",
                        "123456789012",
                        "1000001",
                        "12",
                        "3",
                        "4",
                        "5",
                        "6",
                        "987654321",
                        "7777",
                        "8",
                        "9",
                        "10",
                        "11",
                        "2",
                        ""));
    }
}
