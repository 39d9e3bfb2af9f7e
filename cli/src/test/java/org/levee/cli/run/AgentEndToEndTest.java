package org.levee.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.Sampling;
import org.levee.cli.CliRun;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.Counters;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.Status;
import org.levee.dataplane.XdpDataPlane;
import org.levee.detector.DetectorConfig;
import org.levee.detector.Threshold;
import org.levee.detector.sample.TrafficClass;
import org.levee.ebpf.XdpMode;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.DemoLab;
import org.levee.lab.FloodGenerator;
import org.levee.lab.FloodKind;
import org.levee.lab.LegitTraffic;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;
import org.levee.testing.Requirements;

/**
 * The whole node in the demo lab's namespaces: legitimate clients talk to the edge, a memcached
 * reflection flood starts, the agent's detector makes a rule from the samples, the rule drops the
 * flood in XDP before the edge's kernel sees it, and the clients keep being served. Then the agent
 * restarts in the middle of the attack and the program keeps dropping all along: the rule's
 * counter grows before, while no agent runs, and after; the new agent's detector makes its own
 * rule; an operator's rule added with {@code levee rules add} takes over when the automatic rules
 * are removed with {@code levee rules rm}, and the node's metrics show it.
 */
@Tag("kernel")
class AgentEndToEndTest {

    private static final long LEGIT_RATE = 500;
    private static final long LEGIT_TCP_RATE = 20;
    private static final long FLOOD_RATE = 100_000;

    @TempDir
    Path state;

    @Test
    void anAttackBecomesARuleThatDropsItAcrossARestartWhileLegitimateTrafficFlows() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        Requirements.library("libpcap.so.0.8");
        try (DemoLab lab = DemoLab.create()) {
            PinLayout layout = new PinLayout(lab.edgeInterface(), lab.edgeNamespace());
            try (LegitTraffic legit = LegitTraffic.start(lab, LEGIT_RATE, LEGIT_TCP_RATE);
                    FloodGenerator flood = FloodGenerator.open(lab.floodPath(), FloodKind.MEMCACHED_AMPLIFICATION)) {
                Agent agent = Agent.start(config(false), open(lab));
                String firstRule;
                try {
                    Thread.sleep(2_000); // the destination's normal traffic, before the attack
                    flood.start(FLOOD_RATE);
                    waitFor(
                            () -> agent.rules().list().stream()
                                    .anyMatch(r -> r.rule().origin() == Origin.AUTO),
                            Duration.ofSeconds(15));
                    StoredRule rule = agent.rules().list().getFirst();
                    firstRule = rule.id();
                    assertThat(rule.evidence()).isPresent();
                    assertThat(rule.rule().comment())
                            .as(rule.evidence().get().toString())
                            .contains("203.0.113.10")
                            .contains("11211");
                    Thread.sleep(500); // let the swap settle

                    // Mitigated: the flood no longer reaches the edge's UDP stack; the clients are served.
                    long mitigatedFrom = System.nanoTime();
                    long noPortsBefore = udpNoPorts(lab);
                    Counters countersBefore = agent.dataPlane().counters();
                    long offeredBefore = flood.offered();
                    Thread.sleep(1_500);
                    long offered = flood.offered() - offeredBefore;
                    Counters countersAfter = agent.dataPlane().counters();
                    long dropped = countersAfter.rule(rule.id()).packets()
                            - countersBefore.rule(rule.id()).packets();
                    long seen = countersAfter.seen() - countersBefore.seen();
                    long passed = countersAfter.passed() - countersBefore.passed();
                    long reached = udpNoPorts(lab) - noPortsBefore;
                    System.out.printf(
                            "mitigated: offered %,d, seen at the edge %,d, dropped by %s %,d, passed %,d,"
                                    + " reached the edge's UDP %,d (rules %s)%n",
                            offered,
                            seen,
                            rule.id(),
                            dropped,
                            passed,
                            reached,
                            agent.rules().list().stream()
                                    .map(r -> r.id() + ": " + r.rule().comment())
                                    .toList());
                    assertThat(offered).as("flood packets offered in 1.5 s").isGreaterThan(FLOOD_RATE / 2);
                    // veth loses frames of a burst when the edge's ring is full: what arrives is what counts.
                    assertThat(dropped)
                            .as("dropped by the rule, of %,d offered", offered)
                            .isGreaterThan(offered / 2);
                    assertThat(passed).as("passed: the legitimate traffic only").isLessThan(LEGIT_RATE * 3);
                    // The global and per-rule counters are read one after the other while packets arrive.
                    assertThat(dropped + passed)
                            .as("every packet seen is dropped or legitimate")
                            .isBetween(seen - seen / 200, seen + seen / 200);
                    assertThat(reached)
                            .as("flood packets that reached the edge's UDP")
                            .isLessThan(offered / 100);

                    // The CLI sees the rule with its counters through the API.
                    String api = "http://127.0.0.1:" + agent.apiAddress().getPort();
                    CliRun list = CliRun.of("rules", "list", "--api", api);
                    assertThat(list.exitCode()).as(list.err()).isZero();
                    assertThat(list.out()).contains(rule.id()).contains("auto").contains("drop");

                    // Restart in the middle of the attack: the program stays attached and keeps dropping.
                    long atStop = Status.read(layout).rules().getFirst().packets();
                    agent.close();
                    Thread.sleep(1_000);
                    Status between = Status.read(layout);
                    assertThat(between.rules())
                            .extracting(Status.RuleStatus::id)
                            .containsExactly(rule.id());
                    long whileStopped = between.rules().getFirst().packets() - atStop;
                    assertThat(whileStopped).as("dropped while no agent ran").isGreaterThan(FLOOD_RATE / 2);
                } finally {
                    agent.close();
                }

                long noPortsRestart = udpNoPorts(lab);
                XdpDataPlane reopened = open(lab);
                try (Agent second = Agent.start(config(true), reopened)) {
                    assertThat(reopened.attachment().adopted()).isTrue();
                    // The restored rule is there; the new detector may already have made its own for the
                    // flood that goes on (it has no memory of the restored one: docs/agent.md).
                    assertThat(second.rules().list()).extracting(StoredRule::id).contains(firstRule);
                    String id = firstRule;
                    long before = second.dataPlane().counters().rule(id).packets();
                    Thread.sleep(1_000);
                    long after = second.dataPlane().counters().rule(id).packets();
                    assertThat(after - before).as("dropped after the restart").isGreaterThan(FLOOD_RATE / 2);
                    assertThat(udpNoPorts(lab) - noPortsRestart)
                            .as("flood packets reaching the edge across the restart")
                            .isLessThan(FLOOD_RATE / 100);

                    // The new detector sees the attack in the samples (taken before any drop) and makes
                    // its own rule; the restored one only bridges the restart.
                    waitFor(() -> second.rules().list().size() == 2, Duration.ofSeconds(15));
                    assertThat(second.rules().list().get(1).id())
                            .startsWith("auto-")
                            .isNotEqualTo(id);

                    // An operator's rule through the CLI takes over when the automatic ones are removed.
                    String api = "http://127.0.0.1:" + second.apiAddress().getPort();
                    CliRun add = CliRun.of(
                            "rules",
                            "add",
                            "--api",
                            api,
                            "--token-file",
                            state.resolve("api-token").toString(),
                            "--id",
                            "memcached",
                            "--filter",
                            "udp and src port 11211",
                            "--dst",
                            "203.0.113.0/24",
                            "--dc",
                            "lab1",
                            "--ttl",
                            "10m");
                    assertThat(add.exitCode()).as(add.err()).isZero();
                    for (StoredRule auto : second.rules().list()) {
                        if (auto.rule().origin() == Origin.AUTO) {
                            CliRun rm = CliRun.of(
                                    "rules",
                                    "rm",
                                    "--api",
                                    api,
                                    "--token-file",
                                    state.resolve("api-token").toString(),
                                    auto.id());
                            assertThat(rm.exitCode()).as(rm.err()).isZero();
                        }
                    }
                    long noPortsManual = udpNoPorts(lab);
                    long manualBefore =
                            second.dataPlane().counters().rule("memcached").packets();
                    Thread.sleep(1_000);
                    assertThat(second.dataPlane().counters().rule("memcached").packets() - manualBefore)
                            .as(
                                    "dropped by the manual rule; %s",
                                    Status.read(layout).toJson())
                            .isGreaterThan(FLOOD_RATE / 2);
                    assertThat(udpNoPorts(lab) - noPortsManual).isLessThan(FLOOD_RATE / 100);
                    CliRun list = CliRun.of("rules", "list", "--api", api);
                    assertThat(list.out())
                            .contains("memcached")
                            .contains("203.0.113.0/24 in lab1")
                            .doesNotContain("auto-");
                    String metrics = new String(
                            java.net
                                    .URI
                                    .create(api + "/metrics")
                                    .toURL()
                                    .openStream()
                                    .readAllBytes(),
                            java.nio.charset.StandardCharsets.UTF_8);
                    assertThat(metrics)
                            .containsPattern("levee_rule_packets_total\\{origin=\"manual\",rule=\"memcached\"} [1-9]")
                            .containsPattern("levee_dropped_packets_total [1-9]");
                } finally {
                    flood.stop();
                    legit.stopSending();
                }
                Thread.sleep(LegitTraffic.TCP_SETTLE_MILLIS);
                DeliveryCounts total = legit.total();
                System.out.printf("legit over the whole test: %s%n", total);
                assertThat(total.sent()).isGreaterThan(LEGIT_RATE * 4);
                assertThat(total.delivered())
                        .as("legit requests delivered")
                        .isGreaterThanOrEqualTo(total.sent() * 99 / 100);
            } finally {
                Attachment.detach(layout); // --detach-on-exit did this already unless something failed
            }
            assertThat(layout.directory()).doesNotExist();
        }
    }

    private static XdpDataPlane open(DemoLab lab) {
        return XdpDataPlane.open(lab.edgeInterface(), lab.edgeNamespace(), XdpMode.NATIVE, 64);
    }

    private AgentConfig config(boolean detachOnExit) {
        DetectorConfig defaults = DetectorConfig.defaults();
        Map<TrafficClass, Threshold> host = new EnumMap<>(defaults.hostThresholds());
        host.put(TrafficClass.UDP, Threshold.packets(20_000));
        DetectorConfig detector = new DetectorConfig(
                host,
                defaults.aggregateThresholds(),
                defaults.overrides(),
                defaults.aggregateLengthV4(),
                defaults.aggregateLengthV6(),
                defaults.windowSeconds(),
                defaults.baselineMultiple(),
                defaults.baselineFloorPacketsPerSecond(),
                defaults.baselineHalfLifeSeconds(),
                defaults.baselineWarmupSeconds(),
                defaults.endFraction(),
                defaults.cooldown(),
                defaults.coverageTarget(),
                // More samples before fingerprinting: the window's pre-attack (legitimate) samples
                // count as attack samples too, and with a cold baseline they must stay under 5 %.
                defaults.maxBaselineMatch(),
                512,
                Duration.ofSeconds(1),
                defaults.sketchCapacity(),
                defaults.reservoirSize(),
                defaults.historySamples(),
                defaults.historySamplesPerSecond(),
                defaults.datacenterMinShare(),
                defaults.seed());
        return AgentConfig.defaults()
                .withStateDir(state)
                .withDatacenter("lab1")
                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                .withSampling(Sampling.fixed(64))
                .withDetector(detector)
                .withDetachOnExit(detachOnExit);
    }

    /** UDP datagrams the edge's kernel received for ports nobody listens on: where the flood lands unmitigated. */
    private static long udpNoPorts(DemoLab lab) {
        String snmp = lab.exec(lab.edgeNamespace(), "cat", "/proc/net/snmp").output();
        String[] header = null;
        for (String line : snmp.split("\n")) {
            if (line.startsWith("Udp:")) {
                String[] fields = line.trim().split("\\s+");
                if (header == null) {
                    header = fields;
                } else {
                    for (int i = 0; i < header.length; i++) {
                        if (header[i].equals("NoPorts")) {
                            return Long.parseLong(fields[i]);
                        }
                    }
                }
            }
        }
        throw new AssertionError("no Udp NoPorts in /proc/net/snmp of the edge: " + snmp);
    }

    private static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
