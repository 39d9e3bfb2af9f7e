package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.config.ControllerConfigLoader;
import org.levee.controller.testing.Fleet;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;
import org.levee.sflow.testing.Daemon;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * A third-party exporter feeds the controller: pmacct's {@code pmacctd} reads a pcap of a
 * memcached reflection flood (written with the cbpf module's PcapWriter) and its {@code sfprobe}
 * plugin samples it, 1 in 10, into sFlow sent to the controller. The agent is a switch the
 * configuration names ({@code sflow_agents}); the controller writes a rule for the flood scoped
 * to that data center's attack, and publishes it.
 */
class PmacctdInteropTest {
    static final IpAddress VICTIM = IpAddress.parse("203.0.113.60");
    static final int PACKETS = 40_000;

    @Test
    void theControllerWritesARuleForAFloodPmacctdSamples(@TempDir Path dir) throws Exception {
        Requirements.command("pmacctd");
        Requirements.library("libpcap.so.0.8");
        Path pcap = dir.resolve("flood.pcap");
        SplittableRandom random = new SplittableRandom(60);
        PacketFactory flood = Traffic.memcachedAmplification(VICTIM);
        try (PcapWriter writer = PcapWriter.create(pcap, LinkType.EN10MB)) {
            for (int i = 0; i < PACKETS; i++) {
                byte[] frame = flood.next(random);
                writer.write(1_796_600_000_000_000_000L + i * 10_000L, frame, frame.length);
            }
        }
        ControllerConfig file = ControllerConfigLoader.parse("controller.yaml", """
                sflow_agents: {"192.0.2.77": lab1}
                detector:
                  host_thresholds:
                    udp: {pps: 5000}
                """);
        try (Fleet fleet = new Fleet()) {
            Controller controller = fleet.start(Fleet.config("ctl-pmacct")
                    .withSflowAgents(file.sflowAgents())
                    .withDetector(file.detector()));
            Eventually.await(Duration.ofSeconds(10), "ctl-pmacct leads", controller::isLeader);
            Path config = dir.resolve("pmacctd.conf");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "daemonize: false",
                            "pcap_savefile: " + pcap,
                            "pcap_savefile_wait: true",
                            "plugins: sfprobe",
                            "sampling_rate: 10",
                            "sfprobe_receiver: 127.0.0.1:"
                                    + controller.sflowAddress().getPort(),
                            "sfprobe_agentip: 192.0.2.77",
                            "sfprobe_agentsubid: 7",
                            ""));
            try (Daemon pmacctd = Daemon.start(dir.resolve("pmacctd.log"), "pmacctd", "-f", config.toString())) {
                Eventually.await(
                        Duration.ofSeconds(30),
                        () -> "a rule for the flood; samples: "
                                + controller.agents().stream()
                                        .map(a -> a.address() + "=" + a.samples())
                                        .toList() + ", sFlow " + controller.sflowStats()
                                + "\npmacctd log:\n" + pmacctd.log(),
                        () -> rule(fleet) != null);
            }
            StoredRule rule = rule(fleet);
            assertThat(rule.evidence().get().trafficClass()).isEqualTo("udp");
            assertThat(rule.evidence().get().fingerprint()).contains("source_port=11211");
            assertThat(rule.evidence().get().samplesPerDatacenter()).containsOnlyKeys("lab1");
            assertThat(controller.agents()).singleElement().satisfies(a -> {
                assertThat(a.address().getHostAddress()).isEqualTo("192.0.2.77");
                assertThat(a.assignment().datacenter()).isEqualTo("lab1");
            });
            assertThat(controller.sflowStats().datagramsRejected()).isEmpty();
            Eventually.await(
                    Duration.ofSeconds(10),
                    "published",
                    () -> fleet.manifest()
                            .map(m -> m.rules().contains(rule.id()))
                            .orElse(false));
        }
    }

    private static StoredRule rule(Fleet fleet) {
        List<StoredRule> rules = fleet.rules().stream()
                .filter(r -> r.rule().origin() == Origin.AUTO
                        && r.evidence().isPresent()
                        && r.evidence().get().destination().equals(VICTIM + "/32"))
                .toList();
        return rules.isEmpty() ? null : rules.getFirst();
    }
}
