package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.sflow.testing.RandomDatagrams;
import org.levee.sflow.testing.TestFrames;

class SflowCodecTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 0x5F10_3EEDL, 20_261_207L})
    void randomDatagramsSurviveEncodeAndDecode(long seed) throws Exception {
        RandomDatagrams random = new RandomDatagrams(seed);
        for (int i = 0; i < 2_000; i++) {
            SflowDatagram datagram = random.next();
            byte[] bytes = SflowEncoder.encode(datagram);
            assertThat(bytes.length).as("datagram %d", i).isEqualTo(SflowEncoder.encodedSize(datagram));
            assertThat(bytes.length % 4).as("XDR: 4-byte aligned").isZero();

            SflowDatagram decoded = SflowDecoder.decode(bytes);
            assertThat(decoded).as("seed %d datagram %d", seed, i).isEqualTo(datagram);
            assertThat(decoded.agentAddress().getClass())
                    .isEqualTo(datagram.agentAddress().getClass());
            assertThat(SflowEncoder.encode(decoded)).isEqualTo(bytes);

            List<SflowFormatException> rejected = new ArrayList<>();
            assertThat(SflowDecoder.decode(ByteBuffer.wrap(bytes), rejected::add))
                    .isEqualTo(datagram);
            assertThat(rejected).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5})
    void theVisitorSeesWhatTheRecordsHold(long seed) throws Exception {
        RandomDatagrams random = new RandomDatagrams(seed);
        SflowDecoder decoder = new SflowDecoder();
        for (int i = 0; i < 1_000; i++) {
            SflowDatagram datagram = random.next();
            // A direct buffer at a non-zero position, as a receive buffer may be.
            byte[] bytes = SflowEncoder.encode(datagram);
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 12);
            buffer.position(12).mark();
            buffer.put(bytes).reset();
            List<String> seen = new ArrayList<>();
            decoder.decode(buffer, new SflowVisitor() {
                @Override
                public void datagram(DatagramView d) {
                    seen.add("datagram " + d.agentAddress() + " " + d.subAgentId() + " " + d.sequenceNumber() + " "
                            + d.uptimeMillis() + " " + d.sampleCount() + " " + d.length());
                }

                @Override
                public void flowSample(FlowSampleView s) {
                    seen.add("flow " + s.index() + " " + s.sequenceNumber() + " " + s.samplingRate() + " "
                            + s.samplePool() + " " + s.drops() + " " + s.recordCount());
                }

                @Override
                public void rawPacketHeader(RawPacketHeaderView h) {
                    ByteBuffer slice = h.header();
                    byte[] viaSlice = new byte[slice.remaining()];
                    slice.get(viaSlice);
                    assertThat(viaSlice).isEqualTo(h.copyHeader());
                    seen.add("raw " + h.toRecord());
                }

                @Override
                public void flowRecord(FlowSampleView s, int format, ByteBuffer b, int offset, int length) {
                    byte[] data = new byte[length];
                    b.get(offset, data);
                    seen.add("record " + new UnknownFlowRecord(format, data));
                }

                @Override
                public void flowSampleEnd(FlowSampleView s) {
                    seen.add("end " + s.index());
                }

                @Override
                public void counterSample(DatagramView d, CounterSample s) {
                    seen.add("counters " + s);
                }

                @Override
                public void unknownSample(DatagramView d, int format, ByteBuffer b, int offset, int length) {
                    byte[] data = new byte[length];
                    b.get(offset, data);
                    seen.add("unknown " + new UnknownSample(format, data));
                }
            });
            assertThat(buffer.position())
                    .as("the decoder leaves the position alone")
                    .isEqualTo(12);

            List<String> expected = new ArrayList<>();
            expected.add("datagram " + datagram.agentAddress() + " " + datagram.subAgentId() + " "
                    + datagram.sequenceNumber() + " " + datagram.uptimeMillis() + " "
                    + datagram.samples().size() + " "
                    + bytes.length);
            for (int s = 0; s < datagram.samples().size(); s++) {
                switch (datagram.samples().get(s)) {
                    case FlowSample f -> {
                        expected.add(
                                "flow " + s + " " + f.sequenceNumber() + " " + f.samplingRate() + " " + f.samplePool()
                                        + " " + f.drops() + " " + f.records().size());
                        for (FlowRecord r : f.records()) {
                            expected.add(r instanceof RawPacketHeader ? "raw " + r : "record " + r);
                        }
                        expected.add("end " + s);
                    }
                    case CounterSample c -> expected.add("counters " + c);
                    case UnknownSample u -> expected.add("unknown " + u);
                }
            }
            assertThat(seen).as("seed %d datagram %d", seed, i).isEqualTo(expected);
        }
    }

    @Test
    void aLittleEndianBufferIsReadBigEndianAndLeftAsItWas() throws Exception {
        SflowDatagram datagram = new RandomDatagrams(9).next();
        ByteBuffer buffer = ByteBuffer.wrap(SflowEncoder.encode(datagram)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(SflowDecoder.decode(buffer)).isEqualTo(datagram);
        assertThat(buffer.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> SflowEncoder.encode(
                        datagram, ByteBuffer.allocate(10_000).order(ByteOrder.LITTLE_ENDIAN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("big-endian");
    }

    @Test
    void theLayoutIsSflowVersion5() throws Exception {
        // Field by field, as sflow_version_5.txt lays them out, for one compact flow sample.
        byte[] frame = TestFrames.frame(
                TestFrames.v4(192, 0, 2, 1), TestFrames.v4(198, 51, 100, 7), TestFrames.UDP, 40_000, 53, new byte[5]);
        SflowDatagram datagram = new SflowDatagram(
                TestFrames.v4(192, 0, 2, 9),
                3,
                17,
                123_456,
                List.of(FlowSample.ethernet(42, 5, 1000, 99_000, 7, frame, frame.length + 4)));
        ByteBuffer b = ByteBuffer.wrap(SflowEncoder.encode(datagram));
        assertThat(b.getInt(0)).as("version").isEqualTo(5);
        assertThat(b.getInt(4)).as("address type").isEqualTo(1);
        assertThat(b.get(8) & 0xff).isEqualTo(192);
        assertThat(b.getInt(12)).as("sub-agent").isEqualTo(3);
        assertThat(b.getInt(16)).as("sequence").isEqualTo(17);
        assertThat(b.getInt(20)).as("uptime").isEqualTo(123_456);
        assertThat(b.getInt(24)).as("samples").isEqualTo(1);
        assertThat(b.getInt(28)).as("sample format").isEqualTo(1);
        int headerPadded = (frame.length + 3) & ~3;
        assertThat(b.getInt(32)).as("sample length").isEqualTo(32 + 8 + 16 + headerPadded);
        assertThat(b.getInt(36)).as("sample sequence").isEqualTo(42);
        assertThat(b.getInt(40)).as("source id: class 0, index 5").isEqualTo(5);
        assertThat(b.getInt(44)).as("sampling rate").isEqualTo(1000);
        assertThat(b.getInt(48)).as("sample pool").isEqualTo(99_000);
        assertThat(b.getInt(52)).as("drops").isEqualTo(7);
        assertThat(b.getInt(56)).as("input").isEqualTo(5);
        assertThat(b.getInt(60)).as("output").isZero();
        assertThat(b.getInt(64)).as("records").isEqualTo(1);
        assertThat(b.getInt(68)).as("record format").isEqualTo(1);
        assertThat(b.getInt(72)).as("record length").isEqualTo(16 + headerPadded);
        assertThat(b.getInt(76)).as("header protocol").isEqualTo(1);
        assertThat(b.getInt(80)).as("frame length").isEqualTo(frame.length + 4);
        assertThat(b.getInt(84)).as("stripped").isZero();
        assertThat(b.getInt(88)).as("header length").isEqualTo(frame.length);
        assertThat(b.array()).hasSize(92 + headerPadded);
        for (int i = frame.length; i < headerPadded; i++) {
            assertThat(b.get(92 + i)).as("padding").isZero();
        }
    }

    @Test
    void aSmallAgentCacheStillGivesEveryDatagramItsOwnAgent() throws Exception {
        RandomDatagrams random = new RandomDatagrams(11);
        List<InetAddress> agents = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            agents.add(random.agent());
        }
        SflowDecoder decoder = new SflowDecoder(4);
        Random order = new Random(12);
        InetAddress[] seen = new InetAddress[1];
        for (int i = 0; i < 5_000; i++) {
            InetAddress agent = agents.get(order.nextInt(order.nextBoolean() ? 3 : agents.size()));
            byte[] bytes = SflowEncoder.encode(new SflowDatagram(agent, 0, i, 0, List.of()));
            decoder.decode(ByteBuffer.wrap(bytes), new SflowVisitor() {
                @Override
                public void datagram(DatagramView datagram) {
                    seen[0] = datagram.agentAddress();
                }
            });
            assertThat(seen[0]).isEqualTo(agent);
            assertThat(seen[0].getClass()).isEqualTo(agent.getClass());
        }
    }

    @Test
    void ipv4MappedAgentAddressesStayIpv6() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[15] = 1;
        InetAddress agent = Inet6Address.getByAddress(null, mapped, -1);
        SflowDatagram datagram = new SflowDatagram(agent, 0, 1, 0, List.of());
        byte[] bytes = SflowEncoder.encode(datagram);
        assertThat(bytes).hasSize(SflowEncoder.HEADER_SIZE_IPV6);
        assertThat(SflowDecoder.decode(bytes).agentAddress()).isInstanceOf(Inet6Address.class);
    }

    @Test
    void modelRefusesValuesSflowCannotCarry() {
        byte[] header = new byte[60];
        assertThatThrownBy(() -> FlowSample.ethernet(1, 1, 0, 0, 0, header, 60))
                .hasMessageContaining("'sampling_rate' is 0");
        assertThatThrownBy(() -> FlowSample.ethernet(1, 1, 1L << 32, 0, 0, header, 60))
                .hasMessageContaining("'sampling_rate'");
        assertThatThrownBy(() -> FlowSample.ethernet(1, 1 << 24, 1, 0, 0, header, 60))
                .hasMessageContaining("compact format");
        assertThatThrownBy(() -> RawPacketHeader.ethernet(header, 59))
                .hasMessageContaining("longer than its frame_length 59");
        assertThatThrownBy(() -> new UnknownSample(SflowFormats.FLOW_SAMPLE, new byte[4]))
                .hasMessageContaining("known one");
        assertThatThrownBy(() -> new UnknownFlowRecord(SflowFormats.RAW_PACKET_HEADER, new byte[4]))
                .hasMessageContaining("known one");
        assertThatThrownBy(() ->
                        new GenericInterfaceCounters(1, 6, 0, 1, 3, 0, 1L << 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2))
                .hasMessageContaining("'ifInUcastPkts'");
    }

    @Test
    void theCounterBuilderWrapsCounter32s() {
        GenericInterfaceCounters counters = GenericInterfaceCounters.builder(3)
                .inUnicastPackets((1L << 32) + 5)
                .inOctets(1L << 40)
                .ifSpeed(10_000_000_000L)
                .promiscuous(true)
                .build();
        assertThat(counters.inUnicastPackets()).isEqualTo(5);
        assertThat(counters.inOctets()).isEqualTo(1L << 40);
        assertThat(counters.ifStatus()).isEqualTo(3);
        assertThat(counters.promiscuousMode()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 1400, 9000})
    void thePackerFillsDatagramsUpToTheLimitInOrder(int limit) throws Exception {
        Random random = new Random(limit);
        RandomDatagrams samples = new RandomDatagrams(limit);
        List<SflowSample> all = new ArrayList<>();
        while (all.size() < 500) {
            SflowSample sample = random.nextInt(4) == 0 ? samples.counterSample() : samples.flowSample();
            if (SflowEncoder.encodedSize(sample) + SflowEncoder.HEADER_SIZE_IPV6 <= limit) {
                all.add(sample);
            }
        }
        InetAddress agent = TestFrames.address("2001:db8::5");
        SflowPacker packer = new SflowPacker(agent, 7, limit);
        List<SflowDatagram> datagrams = packer.pack(all, 1234);
        List<SflowSample> unpacked = new ArrayList<>();
        long sequence = 1;
        for (int i = 0; i < datagrams.size(); i++) {
            SflowDatagram datagram = datagrams.get(i);
            byte[] bytes = SflowEncoder.encode(datagram);
            assertThat(bytes.length).isLessThanOrEqualTo(limit);
            if (i + 1 < datagrams.size()) {
                // Full: the next datagram's first sample would not have fitted.
                int next =
                        SflowEncoder.encodedSize(datagrams.get(i + 1).samples().getFirst());
                assertThat(bytes.length + next).isGreaterThan(limit);
            }
            assertThat(datagram.sequenceNumber()).isEqualTo(sequence++);
            assertThat(datagram.subAgentId()).isEqualTo(7);
            assertThat(SflowDecoder.decode(bytes)).isEqualTo(datagram);
            unpacked.addAll(datagram.samples());
        }
        assertThat(unpacked).isEqualTo(all);
        assertThat(packer.nextSequenceNumber()).isEqualTo(sequence);
        assertThat(packer.pack(List.of(), 0)).isEmpty();
    }

    @Test
    void thePackerRefusesASampleLargerThanADatagram() {
        SflowPacker packer = new SflowPacker(TestFrames.v4(192, 0, 2, 1), 0, 200);
        FlowSample big = FlowSample.ethernet(1, 1, 1, 0, 0, new byte[200], 200);
        assertThatThrownBy(() -> packer.pack(List.of(big), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sample 0 takes 264 bytes");
        assertThatThrownBy(() -> new SflowPacker(TestFrames.v4(192, 0, 2, 1), 0, 70_000))
                .hasMessageContaining("outside");
    }

    @Test
    void addressesParseAsCommandLinesWriteThem() {
        assertThat(SflowAddresses.parseList("127.0.0.1,127.0.0.2:9999,[::1]:7000,::1"))
                .extracting(Object::toString)
                .containsExactly(
                        "/127.0.0.1:6343", "/127.0.0.2:9999", "/[0:0:0:0:0:0:0:1]:7000", "/[0:0:0:0:0:0:0:1]:6343");
        assertThatThrownBy(() -> SflowAddresses.parse("127.0.0.1:http")).hasMessageContaining("port 'http'");
        assertThatThrownBy(() -> SflowAddresses.parse("127.0.0.1:0")).hasMessageContaining("port '0'");
        assertThatThrownBy(() -> SflowAddresses.parse("[::1")).hasMessageContaining("without ']'");
        assertThatThrownBy(() -> SflowAddresses.parseList("127.0.0.1,")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SflowAddresses.parse("no-such-host.invalid")).hasMessageContaining("does not resolve");
    }
}
