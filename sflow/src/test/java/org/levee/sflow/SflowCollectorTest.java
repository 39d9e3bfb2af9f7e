package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.sflow.SflowBadInputTest.FRAME_LENGTH_0;
import static org.levee.sflow.SflowBadInputTest.HEADER_LENGTH_0;
import static org.levee.sflow.SflowBadInputTest.RATE_0;
import static org.levee.sflow.SflowBadInputTest.RECORD_0_LENGTH;
import static org.levee.sflow.SflowBadInputTest.SAMPLES_COUNT;
import static org.levee.sflow.SflowBadInputTest.SAMPLE_0;
import static org.levee.sflow.SflowBadInputTest.SAMPLE_0_LENGTH;
import static org.levee.sflow.SflowBadInputTest.validBytes;
import static org.levee.sflow.SflowBadInputTest.with;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.levee.sflow.SflowFormatException.Reason;
import org.levee.sflow.testing.Await;
import org.levee.sflow.testing.TestFrames;
import org.levee.sflow.testing.UdpSender;

class SflowCollectorTest {
    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** What the consumer saw of one sample: copied, since the views do not outlive the call. */
    record Seen(
            InetAddress agent,
            int subAgentId,
            long datagramSequence,
            long samplingRate,
            long frameLength,
            byte[] header) {}

    static SflowCollector.PacketSampleConsumer into(ConcurrentLinkedQueue<Seen> seen) {
        return h -> seen.add(new Seen(
                h.sample().datagram().agentAddress(),
                h.sample().datagram().subAgentId(),
                h.sample().datagram().sequenceNumber(),
                h.sample().samplingRate(),
                h.frameLength(),
                h.copyHeader()));
    }

    @Test
    void everyBadInputIsCountedUnderItsReasonAndTheCollectorGoesOn() throws Exception {
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        try (SflowCollector collector = SflowCollector.start(LOOPBACK_ANY_PORT, into(seen));
                UdpSender agent = new UdpSender(collector.localAddress())) {
            byte[] valid = validBytes();
            List<byte[]> inputs = new ArrayList<>(List.of(
                    valid, // both delivered; the agent is known
                    new byte[0], // TRUNCATED (datagram)
                    Arrays.copyOf(valid, 20), // TRUNCATED (datagram: uptime)
                    with(0, 4), // BAD_VERSION
                    with(4, 7), // BAD_ADDRESS_TYPE
                    with(SAMPLES_COUNT, 0x7fff_ffff), // COUNT_PAST_END (datagram)
                    with(SAMPLE_0_LENGTH, 0xffff_fff0), // LENGTH_PAST_END
                    with(SAMPLES_COUNT, 1), // TRAILING_BYTES (datagram)
                    with(RATE_0, 0), // ZERO_SAMPLING_RATE (sample 0; sample 1 delivered)
                    with(RECORD_0_LENGTH, 1 << 20), // LENGTH_PAST_SAMPLE (sample)
                    with(HEADER_LENGTH_0, 1000), // LENGTH_PAST_RECORD (sample)
                    with(FRAME_LENGTH_0, 10), // HEADER_LONGER_THAN_FRAME (sample)
                    with(RECORD_0_LENGTH - 8, -1), // COUNT_PAST_END (sample: its record count)
                    with(SAMPLE_0, 4413 << 12 | 5), // unknown sample; sample 1 delivered
                    with(RECORD_0_LENGTH - 4, SflowFormats.EXTENDED_SWITCH), // unknown record; sample 1 delivered
                    with(
                            RECORD_0_LENGTH + 4,
                            SflowFormats.HEADER_PROTOCOL_IPV4))); // IPv4 header skipped; sample 1 delivered
            for (byte[] input : inputs) {
                agent.send(input);
            }
            Await.until(
                    () -> collector.stats().datagramsReceived() == inputs.size(),
                    Duration.ofSeconds(10),
                    () -> "the collector to receive " + inputs.size() + " datagrams: " + collector.stats());

            SflowCollector.Stats stats = collector.stats();
            assertThat(collector.isRunning()).isTrue();
            assertThat(stats.datagramsRejected())
                    .isEqualTo(Map.of(
                            Reason.TRUNCATED,
                            2L,
                            Reason.BAD_VERSION,
                            1L,
                            Reason.BAD_ADDRESS_TYPE,
                            1L,
                            Reason.COUNT_PAST_END,
                            1L,
                            Reason.LENGTH_PAST_END,
                            1L,
                            Reason.TRAILING_BYTES,
                            1L));
            assertThat(stats.samplesRejected())
                    .isEqualTo(Map.of(
                            Reason.ZERO_SAMPLING_RATE,
                            1L,
                            Reason.LENGTH_PAST_SAMPLE,
                            1L,
                            Reason.LENGTH_PAST_RECORD,
                            1L,
                            Reason.HEADER_LONGER_THAN_FRAME,
                            1L,
                            Reason.COUNT_PAST_END,
                            1L));
            assertThat(stats.skipped())
                    .isEqualTo(Map.of("sample 4413:5", 1L, "flow record 0:1001", 1L, "header protocol 11", 1L));
            assertThat(stats.datagramsDecoded()).isEqualTo(9);
            // Sample 1 of the 8 decoded datagrams with a bad or skipped sample 0, and both of the valid one.
            assertThat(stats.packetSamples()).isEqualTo(10).isEqualTo(seen.size());
            InetAddress agentAddress = TestFrames.v4(192, 0, 2, 9);
            assertThat(stats.agents()).containsOnlyKeys(agentAddress);
            SflowCollector.AgentStats agentStats = stats.agents().get(agentAddress);
            assertThat(agentStats.datagrams()).isEqualTo(9);
            assertThat(agentStats.samplesRejected()).isEqualTo(5);
            // Rejected datagrams with a whole header naming the agent: the count, the length, the trailing bytes.
            assertThat(agentStats.datagramsRejected()).isEqualTo(3);
            for (Seen sample : seen) {
                assertThat(sample.agent()).isEqualTo(agentAddress);
                assertThat(sample.samplingRate()).isEqualTo(512);
                assertThat(sample.header()).hasSize(62);
            }
        }
    }

    @Test
    void lostDatagramsAreCountedFromSequenceNumbersPerSubAgent() throws Exception {
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        try (SflowCollector collector = SflowCollector.start(LOOPBACK_ANY_PORT, into(seen));
                UdpSender agent = new UdpSender(collector.localAddress())) {
            InetAddress address = TestFrames.v4(203, 0, 113, 5);
            long[][] sequences = {{1, 2, 3, 6, 7}, {10, 11, 15}, {5, 1000}};
            int sent = 0;
            for (int subAgent = 0; subAgent < sequences.length; subAgent++) {
                for (long sequence : sequences[subAgent]) {
                    agent.send(SflowEncoder.encode(new SflowDatagram(address, subAgent, sequence, 0, List.of())));
                    sent++;
                }
            }
            // Sub-agent 0 restarts; sub-agent 1 gets one datagram late.
            agent.send(SflowEncoder.encode(new SflowDatagram(address, 0, 1, 0, List.of())));
            agent.send(SflowEncoder.encode(new SflowDatagram(address, 1, 14, 0, List.of())));
            int total = sent + 2;
            Await.until(
                    () -> collector.stats().datagramsDecoded() == total,
                    Duration.ofSeconds(10),
                    () -> "the collector to decode " + total + " datagrams");
            SflowCollector.AgentStats stats = collector.stats().agents().get(address);
            assertThat(stats.datagramsLost()).as("2 + 3 + 994").isEqualTo(999);
            assertThat(stats.sequenceResets()).isEqualTo(2);
            assertThat(stats.datagrams()).isEqualTo(total);
        }
    }

    /**
     * Spoofed datagrams name any agent and sub-agent: sequence numbers are followed for at most
     * {@value SflowCollector#MAX_SEQUENCES} sub-agents in all and 1024 per agent. Past either
     * bound a sub-agent's gaps are not counted (its datagrams are), and those followed before
     * still are.
     */
    @Test
    void sequenceNumbersAreFollowedForABoundedNumberOfSubAgents() throws Exception {
        try (SflowCollector collector = SflowCollector.start(LOOPBACK_ANY_PORT, h -> {});
                UdpSender agent = new UdpSender(collector.localAddress())) {
            int perAgent = 1024;
            int agents = SflowCollector.MAX_SEQUENCES / perAgent;
            int sent = 0;
            for (int a = 0; a < agents; a++) {
                for (int subAgent = 0; subAgent <= perAgent; subAgent++) { // one more than an agent may have
                    agent.send(SflowEncoder.encode(
                            new SflowDatagram(TestFrames.v4(198, 18, 1, a), subAgent, 1, 0, List.of())));
                    sent++;
                }
                // Paced: the socket buffer must not overflow.
                int expected = sent;
                Await.until(
                        () -> collector.stats().datagramsDecoded() == expected,
                        Duration.ofSeconds(20),
                        () -> "the collector to decode " + expected + " datagrams: " + collector.stats());
            }
            InetAddress first = TestFrames.v4(198, 18, 1, 0);
            InetAddress late = TestFrames.v4(198, 18, 2, 0);
            // Gaps of 3: counted for a followed sub-agent only.
            agent.send(SflowEncoder.encode(new SflowDatagram(first, 0, 5, 0, List.of())));
            agent.send(SflowEncoder.encode(new SflowDatagram(first, perAgent, 5, 0, List.of())));
            agent.send(SflowEncoder.encode(new SflowDatagram(late, 0, 1, 0, List.of())));
            agent.send(SflowEncoder.encode(new SflowDatagram(late, 0, 5, 0, List.of())));
            int total = sent + 4;
            Await.until(
                    () -> collector.stats().datagramsDecoded() == total,
                    Duration.ofSeconds(10),
                    () -> "the collector to decode " + total + " datagrams");
            SflowCollector.Stats stats = collector.stats();
            assertThat(stats.agents().get(first).datagramsLost())
                    .as("sub-agent 0 followed, sub-agent 1024 not")
                    .isEqualTo(3);
            assertThat(stats.agents().get(first).datagrams()).isEqualTo(perAgent + 3);
            assertThat(stats.agents().get(late).datagramsLost())
                    .as("past the bound of all sub-agents")
                    .isZero();
            assertThat(stats.agents().get(late).datagrams()).isEqualTo(2);
        }
    }

    @Test
    void aFailingConsumerIsCountedAndTheCollectorGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (SflowCollector collector = SflowCollector.start(LOOPBACK_ANY_PORT, h -> {
                    if (calls.incrementAndGet() % 2 == 1) {
                        throw new IllegalStateException("the consumer's own bug");
                    }
                });
                UdpSender agent = new UdpSender(collector.localAddress())) {
            for (int i = 0; i < 10; i++) {
                agent.send(validBytes());
            }
            Await.until(
                    () -> collector.stats().datagramsDecoded() == 10,
                    Duration.ofSeconds(10),
                    () -> "10 datagrams decoded");
            assertThat(calls.get()).isEqualTo(20);
            assertThat(collector.stats().consumerErrors()).isEqualTo(10);
            assertThat(collector.stats().packetSamples()).isEqualTo(20);
            assertThat(collector.isRunning()).isTrue();
        }
    }

    @Test
    void closeStopsTheThreadAndFreesThePort() throws Exception {
        SflowCollector collector = SflowCollector.start(LOOPBACK_ANY_PORT, h -> {});
        InetSocketAddress bound = collector.localAddress();
        assertThat(bound.getPort()).isPositive();
        assertThat(collector.isRunning()).isTrue();
        assertThat(collector.stats().kernelDrops())
                .as("read from /proc/net/udp")
                .isZero();
        collector.close();
        assertThat(collector.isRunning()).isFalse();
        try (DatagramSocket again = new DatagramSocket(bound)) {
            assertThat(again.getLocalPort()).isEqualTo(bound.getPort());
        }
        collector.close(); // twice is fine
    }

    @Test
    void agentsPastTheLimitAreCountedTogether() throws Exception {
        SflowCollector.Config config = new SflowCollector.Config(LOOPBACK_ANY_PORT, 1 << 20, 2, 256);
        try (SflowCollector collector = SflowCollector.start(config, h -> {});
                UdpSender agent = new UdpSender(collector.localAddress())) {
            for (int i = 1; i <= 5; i++) {
                agent.send(SflowEncoder.encode(new SflowDatagram(TestFrames.v4(192, 0, 2, i), 0, 1, 0, List.of())));
            }
            Await.until(() -> collector.stats().datagramsDecoded() == 5, Duration.ofSeconds(10), () -> "5 datagrams");
            assertThat(collector.stats().agents()).hasSize(2);
            assertThat(collector.stats().otherAgentsDatagrams()).isEqualTo(3);
        }
    }
}
