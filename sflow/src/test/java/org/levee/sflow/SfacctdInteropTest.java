package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.sflow.testing.Await;
import org.levee.sflow.testing.Daemon;
import org.levee.sflow.testing.TestFrames;
import org.levee.testing.Requirements;

/**
 * pmacct's sFlow collector, {@code sfacctd}, accepts what our exporter sends: it runs as a real
 * process on a loopback port, accounts our samples per flow with its print plugin, and its
 * output shows each flow with our agent address, our sampling rate, as many packets as we sent
 * samples and the bytes of their frame lengths.
 */
class SfacctdInteropTest {
    record Flow(
            InetAddress source,
            InetAddress destination,
            int protocol,
            int sourcePort,
            int destinationPort,
            long samplingRate) {
        String key(InetAddress agent) {
            return String.join(
                    ",",
                    agent.getHostAddress(),
                    source.getHostAddress(),
                    destination.getHostAddress(),
                    Integer.toString(sourcePort),
                    Integer.toString(destinationPort),
                    protocol == TestFrames.TCP ? "tcp" : "udp",
                    Long.toString(samplingRate));
        }
    }

    @Test
    void sfacctdAccountsOurSamples(@TempDir Path dir) throws Exception {
        Requirements.command("sfacctd");
        int port = Daemon.freeUdpPort();
        Path flows = dir.resolve("flows.csv");
        Path config = dir.resolve("sfacctd.conf");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "daemonize: false",
                        "sfacctd_ip: 127.0.0.1",
                        "sfacctd_port: " + port,
                        "plugins: print",
                        "print_output: csv",
                        "print_output_file: " + flows,
                        "print_output_file_append: true",
                        "print_refresh_time: 1",
                        "aggregate: peer_src_ip, src_host, dst_host, src_port, dst_port, proto, sampling_rate",
                        ""));
        try (Daemon sfacctd = Daemon.start(dir.resolve("sfacctd.log"), "sfacctd", "-f", config.toString())) {
            Await.until(
                    () -> Daemon.udpPortBound(port) || !sfacctd.isAlive(),
                    Duration.ofSeconds(10),
                    () -> "sfacctd to bind UDP port " + port);
            assertThat(sfacctd.isAlive()).as(sfacctd.log()).isTrue();

            Random random = new Random(0x5FACC7D);
            List<Flow> flowList = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                flowList.add(new Flow(
                        TestFrames.v4(203, 0, 113, 10 + i),
                        TestFrames.v4(198, 51, 100, 1 + i % 2),
                        i % 3 == 0 ? TestFrames.TCP : TestFrames.UDP,
                        30_000 + i,
                        i % 2 == 0 ? 53 : 443,
                        i == 5 ? 2048 : 512));
            }
            Map<String, long[]> expected = new TreeMap<>(); // key -> {packets, bytes}
            InetSocketAddress collector = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            Flow probe =
                    new Flow(TestFrames.v4(192, 0, 2, 250), TestFrames.v4(192, 0, 2, 251), TestFrames.UDP, 9, 9, 1);
            InetAddress agent;
            try (SflowExporter exporter = SflowExporter.start(SflowExporter.Config.of(List.of(collector)))) {
                agent = exporter.agentAddresses().get(collector);
                String readyKey = probe.key(agent);
                // sfacctd binds its port before its plugin is ready, and what it reads meanwhile is lost:
                // a probe flow, sent until sfacctd prints it, says it is ready.
                SflowExporter.Source probes = exporter.source(99, 99);
                byte[] probeFrame = TestFrames.frame(
                        probe.source(),
                        probe.destination(),
                        probe.protocol(),
                        probe.sourcePort(),
                        probe.destinationPort(),
                        new byte[0]);
                long[] lastProbe = {0};
                Await.until(
                        () -> {
                            if (System.nanoTime() - lastProbe[0] > 300_000_000L) {
                                lastProbe[0] = System.nanoTime();
                                probes.packetSample(1, 1, 0, probeFrame, probeFrame.length);
                            }
                            return read(flows).containsKey(readyKey);
                        },
                        Duration.ofSeconds(20),
                        () -> "sfacctd to account the probe flow\nsfacctd log:\n" + sfacctd.log());

                SflowExporter.Source source = exporter.source(1, 5);
                for (int i = 0; i < 300; i++) {
                    Flow flow = flowList.get(random.nextInt(flowList.size()));
                    byte[] payload = new byte[random.nextInt(600)];
                    byte[] frame = TestFrames.frame(
                            flow.source(),
                            flow.destination(),
                            flow.protocol(),
                            flow.sourcePort(),
                            flow.destinationPort(),
                            payload);
                    assertThat(source.packetSample(flow.samplingRate(), i + 1, 0, frame, frame.length))
                            .isTrue();
                    long[] counts = expected.computeIfAbsent(flow.key(agent), k -> new long[2]);
                    counts[0]++;
                    counts[1] += frame.length;
                }
                source.counterSample(GenericInterfaceCounters.builder(5)
                        .inUnicastPackets(300)
                        .build());
                assertThat(exporter.flush(Duration.ofSeconds(5))).isTrue();
                assertThat(exporter.stats().sendErrors()).isZero();
            }

            // The print plugin appends what it accounted every second.
            String probeKey = probe.key(agent);
            Await.until(
                    () -> packets(read(flows), probeKey) == 300,
                    Duration.ofSeconds(20),
                    () -> "sfacctd's output to hold our 300 samples: "
                            + read(flows).keySet() + "\nsfacctd log:\n" + sfacctd.log());
            Map<String, long[]> accounted = read(flows);
            accounted.remove(probeKey);
            assertThat(accounted.keySet()).isEqualTo(expected.keySet());
            for (String key : expected.keySet()) {
                assertThat(accounted.get(key)).as(key).containsExactly(expected.get(key));
            }
        }
    }

    /** Packets accounted, but for the probe flow's. */
    private static long packets(Map<String, long[]> accounted, String probeKey) {
        return accounted.entrySet().stream()
                .filter(e -> !e.getKey().equals(probeKey))
                .mapToLong(e -> e.getValue()[0])
                .sum();
    }

    /** sfacctd's CSV lines, summed per flow key (everything before PACKETS,BYTES). */
    private static Map<String, long[]> read(Path file) {
        Map<String, long[]> accounted = new TreeMap<>();
        if (!Files.exists(file)) {
            return accounted;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() || line.startsWith("PEER_SRC_IP")) {
                    continue;
                }
                int bytes = line.lastIndexOf(',');
                int packets = line.lastIndexOf(',', bytes - 1);
                long[] counts = accounted.computeIfAbsent(line.substring(0, packets), k -> new long[2]);
                counts[0] += Long.parseLong(line.substring(packets + 1, bytes));
                counts[1] += Long.parseLong(line.substring(bytes + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return accounted;
    }
}
