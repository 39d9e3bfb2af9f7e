package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.levee.sflow.testing.Await;
import org.levee.sflow.testing.TestFrames;

class SflowExporterTest {
    /** Everything a consumer can see of one sample, copied out of the views. */
    record Received(
            InetAddress agent,
            int subAgentId,
            long datagramSequence,
            int datagramLength,
            int samplesInDatagram,
            long sampleSequence,
            int sourceIndex,
            int input,
            long samplingRate,
            long samplePool,
            long drops,
            long frameLength,
            byte[] header) {}

    static SflowCollector.PacketSampleConsumer into(ConcurrentLinkedQueue<Received> received) {
        return h -> {
            FlowSampleView s = h.sample();
            DatagramView d = s.datagram();
            received.add(new Received(
                    d.agentAddress(),
                    d.subAgentId(),
                    d.sequenceNumber(),
                    d.length(),
                    d.sampleCount(),
                    s.sequenceNumber(),
                    s.sourceIndex(),
                    s.inputValue(),
                    s.samplingRate(),
                    s.samplePool(),
                    s.drops(),
                    h.frameLength(),
                    h.copyHeader()));
        };
    }

    static byte[] frame(Random random) {
        byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(1400) : random.nextInt(100)];
        random.nextBytes(payload);
        return TestFrames.frame(
                TestFrames.v4(192, 0, 2, 1 + random.nextInt(200)),
                TestFrames.v4(198, 51, 100, random.nextInt(256)),
                random.nextBoolean() ? TestFrames.UDP : TestFrames.TCP,
                1024 + random.nextInt(60_000),
                random.nextInt(65_536),
                payload);
    }

    @Test
    void samplesOfTwoInterfacesArriveInOrderInFullDatagramsWithTheirNumbers() throws Exception {
        ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        Random random = new Random(42);
        try (SflowCollector collector = SflowCollector.start(SflowCollectorTest.LOOPBACK_ANY_PORT, into(received));
                SflowExporter exporter =
                        SflowExporter.start(SflowExporter.Config.of(List.of(collector.localAddress())))) {
            SflowExporter.Source eth0 = exporter.source(1, 3);
            SflowExporter.Source eth1 = exporter.source(2, 4);
            Map<Integer, List<byte[]>> sent = Map.of(3, new ArrayList<>(), 4, new ArrayList<>());
            int perInterface = 3_000;
            int counters = 0;
            for (int i = 0; i < perInterface; i++) {
                for (SflowExporter.Source source : List.of(eth0, eth1)) {
                    byte[] frame = frame(random);
                    sent.get(source.ifIndex()).add(frame);
                    // pool = packets seen: 1000 per sample; drops: 5 per 100 samples, as a ring buffer would say.
                    assertThat(source.packetSample(1000, 1000L * (i + 1), i / 100 * 5L, frame, frame.length + 4))
                            .isTrue();
                }
                if (i % 1000 == 999) {
                    assertThat(eth0.counterSample(GenericInterfaceCounters.builder(3)
                                    .inUnicastPackets(i)
                                    .build()))
                            .isTrue();
                    counters++;
                }
            }
            assertThat(exporter.flush(Duration.ofSeconds(10))).isTrue();
            Await.until(
                    () -> received.size() == 2 * perInterface,
                    Duration.ofSeconds(10),
                    () -> 2 * perInterface + " samples, have " + received.size());

            Map<Integer, List<Received>> byInterface = new HashMap<>();
            for (Received r : received) {
                byInterface
                        .computeIfAbsent(r.sourceIndex(), k -> new ArrayList<>())
                        .add(r);
            }
            for (SflowExporter.Source source : List.of(eth0, eth1)) {
                List<Received> samples = byInterface.get(source.ifIndex());
                assertThat(samples).hasSize(perInterface);
                long lastDatagram = 0;
                for (int i = 0; i < perInterface; i++) {
                    Received r = samples.get(i);
                    byte[] frame = sent.get(source.ifIndex()).get(i);
                    assertThat(r.agent()).isEqualTo(InetAddress.getLoopbackAddress());
                    assertThat(r.subAgentId()).isEqualTo(source.subAgentId());
                    assertThat(r.sampleSequence()).isEqualTo(i + 1);
                    assertThat(r.input()).isEqualTo(source.ifIndex());
                    assertThat(r.samplingRate()).isEqualTo(1000);
                    assertThat(r.samplePool()).isEqualTo(1000L * (i + 1));
                    assertThat(r.drops()).isEqualTo(i / 100 * 5L);
                    assertThat(r.frameLength()).isEqualTo(frame.length + 4);
                    assertThat(r.header()).isEqualTo(Arrays.copyOf(frame, Math.min(frame.length, 256)));
                    assertThat(r.datagramLength()).isLessThanOrEqualTo(1400);
                    // Datagrams of one sub-agent numbered 1, 2, 3, ... in order.
                    assertThat(r.datagramSequence()).isIn(lastDatagram, lastDatagram + 1);
                    lastDatagram = r.datagramSequence();
                }
                assertThat(samples.getFirst().datagramSequence()).isEqualTo(1);
            }
            // Full datagrams: most hold as many samples as fit (flow samples of at most 256 header bytes
            // take at most 320 bytes, so a 1400-byte datagram holds at least 4).
            long full =
                    received.stream().filter(r -> r.samplesInDatagram() >= 4).count();
            assertThat(full).isGreaterThan(received.size() * 9 / 10);

            SflowCollector.Stats stats = collector.stats();
            SflowExporter.Stats sentStats = exporter.stats();
            assertThat(stats.counterSamples()).isEqualTo(counters);
            assertThat(sentStats.samplesSent()).isEqualTo(2L * perInterface + counters);
            assertThat(sentStats.datagramsSent()).isEqualTo(stats.datagramsDecoded());
            assertThat(sentStats.sendErrors()).isZero();
            assertThat(sentStats.samplesDropped()).isZero();
            assertThat(stats.datagramsRejected()).isEmpty();
            SflowCollector.AgentStats agent = stats.agents().get(InetAddress.getLoopbackAddress());
            assertThat(agent.datagramsLost()).isZero();
            assertThat(agent.sequenceResets()).isZero();
        }
    }

    @Test
    void aLoneSampleLeavesAfterTheFlushInterval() throws Exception {
        ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        try (SflowCollector collector = SflowCollector.start(SflowCollectorTest.LOOPBACK_ANY_PORT, into(received));
                SflowExporter exporter = SflowExporter.start(SflowExporter.Config.of(List.of(collector.localAddress()))
                        .withFlushInterval(Duration.ofMillis(50)))) {
            byte[] frame = frame(new Random(1));
            long start = System.nanoTime();
            exporter.source(0, 1).packetSample(64, 64, 0, frame, frame.length);
            Await.until(() -> received.size() == 1, Duration.ofSeconds(5), () -> "the lone sample");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited)
                    .as("ms: sent by the timer, not by a full datagram")
                    .isGreaterThanOrEqualTo(45);
            assertThat(received.peek().samplesInDatagram()).isEqualTo(1);
        }
    }

    @Test
    void everyCollectorGetsTheSameDatagramsAndIpv6AgentsAreIpv6() throws Exception {
        ConcurrentLinkedQueue<Received> v4 = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Received> v6 = new ConcurrentLinkedQueue<>();
        InetAddress loopback6 = InetAddress.getByName("::1");
        try (SflowCollector first = SflowCollector.start(SflowCollectorTest.LOOPBACK_ANY_PORT, into(v4));
                SflowCollector second = SflowCollector.start(new InetSocketAddress(loopback6, 0), into(v6));
                SflowExporter exporter = SflowExporter.start(
                        SflowExporter.Config.of(List.of(first.localAddress(), second.localAddress())))) {
            assertThat(exporter.agentAddresses())
                    .containsEntry(first.localAddress(), InetAddress.getLoopbackAddress())
                    .containsEntry(second.localAddress(), loopback6);
            Random random = new Random(6);
            SflowExporter.Source source = exporter.source(9, 2);
            for (int i = 0; i < 100; i++) {
                byte[] frame = frame(random);
                source.packetSample(10, i, 0, frame, frame.length);
            }
            exporter.flush(Duration.ofSeconds(5));
            Await.until(() -> v4.size() == 100 && v6.size() == 100, Duration.ofSeconds(5), () -> "100 samples each");
            List<Received> a = List.copyOf(v4);
            List<Received> b = List.copyOf(v6);
            for (int i = 0; i < 100; i++) {
                assertThat(b.get(i).agent()).isInstanceOf(Inet6Address.class).isEqualTo(loopback6);
                assertThat(b.get(i).header()).isEqualTo(a.get(i).header());
                assertThat(b.get(i).datagramSequence()).isEqualTo(a.get(i).datagramSequence());
                // The IPv6 header is 12 bytes longer.
                assertThat(b.get(i).datagramLength()).isEqualTo(a.get(i).datagramLength() + 12);
            }
        }
    }

    @Test
    void aConfiguredAgentAddressIsUsedForEveryCollector() throws Exception {
        ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        InetAddress agent = TestFrames.v4(192, 0, 2, 77);
        try (SflowCollector collector = SflowCollector.start(SflowCollectorTest.LOOPBACK_ANY_PORT, into(received));
                SflowExporter exporter = SflowExporter.start(SflowExporter.Config.of(List.of(collector.localAddress()))
                        .withAgentAddress(agent))) {
            byte[] frame = frame(new Random(3));
            exporter.source(0, 1).packetSample(64, 64, 0, frame, frame.length);
            exporter.flush(Duration.ofSeconds(5));
            Await.until(() -> received.size() == 1, Duration.ofSeconds(5), () -> "one sample");
            assertThat(received.peek().agent()).isEqualTo(agent);
            assertThat(collector.stats().agents()).containsOnlyKeys(agent);
        }
    }

    @Test
    void aFullQueueDropsSamplesAndTheNextSampleSaysSo() throws Exception {
        ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        try (SflowCollector collector = SflowCollector.start(SflowCollectorTest.LOOPBACK_ANY_PORT, into(received));
                SflowExporter exporter = SflowExporter.start(SflowExporter.Config.of(List.of(collector.localAddress()))
                        .withQueueCapacity(1))) {
            SflowExporter.Source source = exporter.source(0, 1);
            byte[] frame = frame(new Random(4));
            // Offered as fast as the caller can: a queue of one fills. Record how many were lost
            // before each accepted sample: that sample's drops must say as much.
            List<Long> dropsBefore = new ArrayList<>();
            long dropped = 0;
            for (int i = 0; i < 50_000; i++) {
                if (source.packetSample(100, i, 0, frame, frame.length)) {
                    dropsBefore.add(dropped);
                } else {
                    dropped++;
                }
            }
            assertThat(dropped)
                    .as("a queue of one cannot keep up with a tight loop")
                    .isPositive();
            assertThat(exporter.flush(Duration.ofSeconds(10))).isTrue();
            Await.until(
                    () -> received.size() == dropsBefore.size(),
                    Duration.ofSeconds(10),
                    () -> dropsBefore.size() + " samples, have " + received.size());
            List<Received> samples = List.copyOf(received);
            for (int i = 0; i < samples.size(); i++) {
                assertThat(samples.get(i).drops()).isEqualTo(dropsBefore.get(i));
                assertThat(samples.get(i).sampleSequence())
                        .as("only sent samples are numbered")
                        .isEqualTo(i + 1);
            }
            assertThat(exporter.stats().samplesDropped()).isEqualTo(dropped);
        }
    }

    @Test
    void aCollectorThatIsNotThereCountsSendErrorsAndTheExporterGoesOn() throws Exception {
        InetSocketAddress nobody;
        try (DatagramSocket reserved = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            nobody = (InetSocketAddress) reserved.getLocalSocketAddress();
        }
        try (SflowExporter exporter = SflowExporter.start(SflowExporter.Config.of(List.of(nobody)))) {
            byte[] frame = frame(new Random(5));
            SflowExporter.Source source = exporter.source(0, 1);
            int datagrams = 10;
            for (int i = 0; i < datagrams; i++) {
                source.packetSample(100, i, 0, frame, frame.length);
                assertThat(exporter.flush(Duration.ofSeconds(5))).isTrue();
                Thread.sleep(5); // lets the ICMP port unreachable come back
            }
            SflowExporter.Stats stats = exporter.stats();
            // Loopback answers with ICMP port unreachable; the connected socket reports it on the next send.
            assertThat(stats.sendErrors()).isGreaterThanOrEqualTo(datagrams / 2 - 1);
            assertThat(stats.datagramsSent() + stats.sendErrors()).isEqualTo(datagrams);
        }
    }

    @Test
    void configurationErrorsSayWhatIsWrong() {
        List<InetSocketAddress> one = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 6343));
        assertThatThrownBy(() -> SflowExporter.Config.of(List.of())).hasMessageContaining("at least one collector");
        assertThatThrownBy(() -> SflowExporter.Config.of(one).withMaxDatagramSize(200))
                .hasMessageContaining("max datagram size 200 is outside 360..65507");
        assertThatThrownBy(() -> SflowExporter.Config.of(one).withFlushInterval(Duration.ZERO))
                .hasMessageContaining("flush interval");
        assertThatThrownBy(() -> SflowExporter.Config.of(List.of(InetSocketAddress.createUnresolved("x", 1))))
                .hasMessageContaining("not resolved");
    }

    @Test
    void callersMistakesAreRefused() throws Exception {
        SflowExporter exporter = SflowExporter.start(
                SflowExporter.Config.of(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 6343))));
        SflowExporter.Source source = exporter.source(0, 1);
        byte[] frame = new byte[60];
        try {
            assertThatThrownBy(() -> source.packetSample(0, 0, 0, frame, 60)).hasMessageContaining("sampling rate 0");
            assertThatThrownBy(() -> source.packetSample(1, 0, 0, frame, 59)).hasMessageContaining("frame length 59");
            assertThatThrownBy(() -> exporter.source(0, -1)).hasMessageContaining("ifIndex -1");
        } finally {
            exporter.close();
        }
        assertThat(source.packetSample(1, 0, 0, frame, 60)).as("closed").isFalse();
        assertThat(exporter.flush(Duration.ofSeconds(1))).as("closed").isFalse();
    }
}
