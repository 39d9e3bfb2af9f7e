package org.levee.controller.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.levee.controller.testing.Edge;
import org.levee.controller.testing.Fleet;
import org.levee.rules.Sample;
import org.levee.sflow.FlowSample;
import org.levee.sflow.InterfaceId;
import org.levee.sflow.RawPacketHeader;
import org.levee.sflow.SflowCollector;
import org.levee.sflow.SflowDatagram;
import org.levee.sflow.SflowEncoder;
import org.levee.sflow.SourceId;
import org.levee.sflow.testing.TestFrames;
import org.levee.sflow.testing.UdpSender;
import org.levee.store.testing.Eventually;

/**
 * sFlow from real exporters over UDP becomes detector samples: the header's bytes, each sample's
 * own sampling rate, its length on the wire, the receive time, and its agent's data center —
 * registered, configured or unknown.
 */
class SampleIngestTest {
    static final InetAddress REGISTERED = Fleet.address("192.0.2.1");
    static final InetAddress CONFIGURED = Fleet.address("192.0.2.2");
    static final InetAddress STRANGER = Fleet.address("192.0.2.3");

    @Test
    void samplesCarryTheirAgentsDatacenterAndTheirOwnSamplingRate() throws Exception {
        AgentDirectory directory = new AgentDirectory(Map.of(CONFIGURED, "par1"));
        directory.registered(Map.of(
                REGISTERED, new AgentDirectory.Assignment("ams1", "edge-a", AgentDirectory.Source.REGISTRATION)));
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        SampleIngest ingest = new SampleIngest(directory, samples::add, clock::incrementAndGet);
        try (SflowCollector collector = SflowCollector.start(new InetSocketAddress("127.0.0.1", 0), ingest)) {
            List<InetSocketAddress> target = List.of(collector.localAddress());
            byte[] udp = TestFrames.frame(
                    Fleet.address("198.51.100.9"),
                    Fleet.address("203.0.113.10"),
                    TestFrames.UDP,
                    5353,
                    53,
                    new byte[400]);
            try (Edge a = new Edge(REGISTERED, target);
                    Edge b = new Edge(CONFIGURED, target);
                    Edge c = new Edge(STRANGER, target)) {
                for (int i = 0; i < 10; i++) {
                    a.sample(udp, 10);
                    b.sample(udp, 1000);
                    c.sample(udp, 4096);
                }
                a.flush();
                b.flush();
                c.flush();
            }
            Eventually.await(Duration.ofSeconds(5), () -> samples.size() + " samples", () -> samples.size() == 30);
        }
        List<Sample> all = new ArrayList<>(samples);
        assertThat(all)
                .filteredOn(s -> s.datacenter().equals("ams1"))
                .hasSize(10)
                .allSatisfy(s -> {
                    assertThat(s.samplingRate()).isEqualTo(10);
                    assertThat(s.node()).isEqualTo("edge-a");
                });
        assertThat(all)
                .filteredOn(s -> s.datacenter().equals("par1"))
                .hasSize(10)
                .allSatisfy(s -> {
                    assertThat(s.samplingRate()).isEqualTo(1000);
                    assertThat(s.node()).isEqualTo("192.0.2.2");
                });
        assertThat(all)
                .filteredOn(s -> s.datacenter().equals(AgentDirectory.UNKNOWN))
                .hasSize(10)
                .allSatisfy(s -> assertThat(s.samplingRate()).isEqualTo(4096));
        byte[] udp = TestFrames.frame(
                Fleet.address("198.51.100.9"), Fleet.address("203.0.113.10"), TestFrames.UDP, 5353, 53, new byte[400]);
        assertThat(all).allSatisfy(s -> {
            assertThat(s.packet()).as("the first 256 bytes of the frame").isEqualTo(Arrays.copyOf(udp, 256));
            assertThat(s.wireLength()).isEqualTo(udp.length);
            assertThat(s.timestampNanos()).isGreaterThan(5_000_000_000L);
        });
        assertThat(directory.agents())
                .extracting(
                        a -> a.address().getHostAddress() + "=" + a.assignment().datacenter() + ":" + a.samples())
                .containsExactly("192.0.2.1=ams1:10", "192.0.2.2=par1:10", "192.0.2.3=unknown:10");
    }

    @Test
    void theWireLengthIsTheFrameLessWhatWasStrippedAndNeverLessThanTheHeader() throws Exception {
        AgentDirectory directory = new AgentDirectory(Map.of());
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        SampleIngest ingest = new SampleIngest(directory, samples::add, System::nanoTime);
        byte[] frame = TestFrames.frame(
                Fleet.address("198.51.100.9"), Fleet.address("203.0.113.10"), TestFrames.TCP, 1, 80, new byte[0]);
        try (SflowCollector collector = SflowCollector.start(new InetSocketAddress("127.0.0.1", 0), ingest);
                UdpSender sender = new UdpSender(collector.localAddress())) {
            // pmacct's way: the frame length counts a 4-byte FCS, "stripped" says so.
            sender.send(datagram(frame, 1518, 4, 7, false));
            // A frame length that lies (shorter than the header after stripping), in an expanded flow sample.
            sender.send(datagram(frame, frame.length, 40, 9, true));
            Eventually.await(Duration.ofSeconds(5), () -> samples.size() + " samples", () -> samples.size() == 2);
        }
        List<Sample> all = new ArrayList<>(samples);
        assertThat(all.get(0).wireLength()).isEqualTo(1514);
        assertThat(all.get(0).samplingRate()).isEqualTo(7);
        assertThat(all.get(1).wireLength())
                .as("never shorter than the bytes we have")
                .isEqualTo(frame.length);
        assertThat(all.get(1).samplingRate()).isEqualTo(9);
    }

    @Test
    void registrationsChangeTheDatacenterOfLaterSamples() {
        AgentDirectory directory = new AgentDirectory(Map.of(REGISTERED, "static"));
        AgentDirectory.Agent agent = directory.lookup(REGISTERED);
        assertThat(agent.assignment().datacenter()).isEqualTo("static");
        directory.registered(Map.of(
                REGISTERED, new AgentDirectory.Assignment("fra1", "edge-f", AgentDirectory.Source.REGISTRATION)));
        assertThat(directory.current(agent).assignment().datacenter())
                .as("registrations win")
                .isEqualTo("fra1");
        directory.registered(Map.of());
        assertThat(directory.current(agent).assignment().datacenter())
                .as("back to the configured one")
                .isEqualTo("static");
    }

    private static byte[] datagram(byte[] frame, long frameLength, long stripped, int rate, boolean expanded) {
        FlowSample sample = new FlowSample(
                1,
                SourceId.ifIndex(1),
                rate,
                rate,
                0,
                InterfaceId.ifIndex(1),
                InterfaceId.UNKNOWN,
                List.of(new RawPacketHeader(1, frameLength, stripped, frame)),
                expanded);
        return SflowEncoder.encode(
                new SflowDatagram(Fleet.address("192.0.2.9"), 0, expanded ? 2 : 1, 1000, List.of(sample)));
    }
}
