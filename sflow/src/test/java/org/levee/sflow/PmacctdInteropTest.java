package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.sflow.testing.Await;
import org.levee.sflow.testing.Daemon;
import org.levee.sflow.testing.TestFrames;
import org.levee.testing.Requirements;

/**
 * A third-party exporter feeds our collector: pmacct's {@code pmacctd} reads a pcap of a flood and
 * its {@code sfprobe} plugin samples it, 1 in 10, into sFlow datagrams sent to our {@link
 * SflowCollector} on loopback. Every sample the collector hands over is a packet of the pcap, with
 * the agent address, sub-agent id and sampling rate pmacctd was configured with.
 */
class PmacctdInteropTest {
    static final int SAMPLING_RATE = 10;
    static final int PACKETS = 3_000;

    /** Source address and port of a frame: unique per frame of the pcap. */
    record Key(String source, int sourcePort) {}

    @Test
    void ourCollectorReadsPmacctdsSflow(@TempDir Path dir) throws Exception {
        Requirements.command("pmacctd");
        // A flood: UDP to 198.51.100.7:53 from 30 sources, plus TCP SYNs to port 80, every frame unique.
        Map<Key, byte[]> frames = new HashMap<>();
        Path pcap = dir.resolve("flood.pcap");
        try (PcapWriter writer = PcapWriter.create(pcap, LinkType.EN10MB)) {
            for (int i = 0; i < PACKETS; i++) {
                InetAddress source = TestFrames.v4(203, 0, 113, 1 + i % 30);
                int sourcePort = 10_000 + i;
                boolean udp = i % 4 != 0;
                byte[] payload = new byte[udp ? 20 + i % 300 : 0];
                Arrays.fill(payload, (byte) i);
                byte[] frame = TestFrames.frame(
                        source,
                        TestFrames.v4(198, 51, 100, 7),
                        udp ? TestFrames.UDP : TestFrames.TCP,
                        sourcePort,
                        udp ? 53 : 80,
                        payload);
                frames.put(new Key(source.getHostAddress(), sourcePort), frame);
                writer.write(1_796_600_000_000_000_000L + i * 10_000L, frame, frame.length);
            }
        }

        ConcurrentLinkedQueue<SflowExporterTest.Received> received = new ConcurrentLinkedQueue<>();
        try (SflowCollector collector =
                SflowCollector.start(SflowCollectorTest.LOOPBACK_ANY_PORT, SflowExporterTest.into(received))) {
            Path config = dir.resolve("pmacctd.conf");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "daemonize: false",
                            "pcap_savefile: " + pcap,
                            "pcap_savefile_wait: true",
                            "plugins: sfprobe",
                            "sampling_rate: " + SAMPLING_RATE,
                            "sfprobe_receiver: 127.0.0.1:"
                                    + collector.localAddress().getPort(),
                            "sfprobe_agentip: 192.0.2.77",
                            "sfprobe_agentsubid: 7",
                            ""));
            try (Daemon pmacctd = Daemon.start(dir.resolve("pmacctd.log"), "pmacctd", "-f", config.toString())) {
                // pmacctd waits 2 s before it reads a savefile; then samples arrive until the file ends.
                long[] last = {-1, System.nanoTime()};
                Await.until(
                        () -> {
                            int now = received.size();
                            if (now != last[0]) {
                                last[0] = now;
                                last[1] = System.nanoTime();
                                return false;
                            }
                            return now > 0 && System.nanoTime() - last[1] > 1_500_000_000L;
                        },
                        Duration.ofSeconds(30),
                        () -> "pmacctd's samples (" + received.size() + " so far): " + collector.stats()
                                + "\npmacctd log:\n" + pmacctd.log());
            }
            SflowCollector.Stats stats = collector.stats();
            assertThat(stats.datagramsRejected()).as("%s", stats).isEmpty();
            assertThat(stats.samplesRejected()).as("%s", stats).isEmpty();
        }

        List<SflowExporterTest.Received> samples = new ArrayList<>(received);
        // 1 in 10 of 3,000 packets, at random: about 300.
        assertThat(samples).hasSizeBetween(PACKETS / SAMPLING_RATE / 2, PACKETS / SAMPLING_RATE * 3 / 2);
        for (SflowExporterTest.Received sample : samples) {
            assertThat(sample.agent()).isEqualTo(TestFrames.v4(192, 0, 2, 77));
            assertThat(sample.subAgentId()).isEqualTo(7);
            assertThat(sample.samplingRate()).isEqualTo(SAMPLING_RATE);
            ByteBuffer header = ByteBuffer.wrap(sample.header());
            assertThat(header.getShort(12)).as("IPv4").isEqualTo((short) 0x0800);
            byte[] sourceAddress = new byte[4];
            header.get(26, sourceAddress);
            Key key = new Key(InetAddress.getByAddress(sourceAddress).getHostAddress(), header.getShort(34) & 0xffff);
            byte[] frame = frames.get(key);
            assertThat(frame).as("a packet of the pcap: %s", key).isNotNull();
            assertThat(header.get(23)).as("protocol").isEqualTo(frame[23]);
            assertThat(header.getShort(36) & 0xffff)
                    .as("destination port")
                    .isEqualTo(ByteBuffer.wrap(frame).getShort(36) & 0xffff);
            assertThat(sample.header())
                    .as("the packet's first bytes")
                    .isEqualTo(Arrays.copyOf(frame, sample.header().length));
            assertThat(sample.frameLength())
                    .as("pmacct counts the frame with its 4-byte FCS")
                    .isEqualTo(frame.length + 4);
        }
    }
}
