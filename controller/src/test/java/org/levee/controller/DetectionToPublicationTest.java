package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.controller.ingest.AgentDirectory;
import org.levee.controller.testing.Edge;
import org.levee.controller.testing.Fleet;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;
import org.levee.store.RulesetManifest;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * sFlow from three data centers into a controller backed by a real etcd: a flood spread over all
 * of them, below every edge's own threshold, is detected from the sum, and its rule is written to
 * etcd and published in a compiled object enabled everywhere; a flood seen in one data center
 * gets a rule enabled only there.
 */
class DetectionToPublicationTest {
    static final IpAddress VICTIM = IpAddress.parse("203.0.113.10");
    static final String[] DATACENTERS = {"ams1", "fra1", "sin1"};
    static final String[] AGENTS = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
    /** The SYN threshold for one host (DetectorConfig's default). */
    static final double SYN_THRESHOLD = 20_000;

    Fleet fleet;
    Controller controller;
    Edge[] edges = new Edge[3];

    @BeforeEach
    void fleet() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
        for (int i = 0; i < 3; i++) {
            fleet.register(DATACENTERS[i], "edge-" + i, AGENTS[i]);
        }
        controller = fleet.start(Fleet.config("ctl-a"));
        for (int i = 0; i < 3; i++) {
            edges[i] = fleet.edge(AGENTS[i]);
        }
        Eventually.await(Duration.ofSeconds(10), "ctl-a leads", controller::isLeader);
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /** Legitimate web clients of the victim for 1.5 s, then with a SYN flood at {@code floodPps} (none: 0) for 4 s. */
    private Runnable traffic(int edge, double floodPps, int samplingRate, long seed) {
        return floodAfter(edge, 1.5, floodPps, 4, samplingRate, seed);
    }

    /** Web clients for {@code quiet} seconds, then with a SYN flood of {@code floodPps} (none: 0) for {@code flood} seconds. */
    private Runnable floodAfter(int edge, double quiet, double floodPps, double flood, int samplingRate, long seed) {
        return () -> {
            SplittableRandom random = new SplittableRandom(seed);
            Edge.Flow web = new Edge.Flow("web", Traffic.webClients(VICTIM), 2_000, samplingRate);
            edges[edge].play(List.of(web), Duration.ofMillis((long) (quiet * 1000)), random);
            List<Edge.Flow> flows = floodPps > 0
                    ? List.of(web, new Edge.Flow("syn flood", Traffic.synFlood(VICTIM), floodPps, samplingRate))
                    : List.of(web);
            edges[edge].play(flows, Duration.ofMillis((long) (flood * 1000)), random);
        };
    }

    private static Optional<StoredRule> ruleFor(Fleet fleet, IpAddress victim) {
        return fleet.rules().stream()
                .filter(r -> r.rule().origin() == Origin.AUTO
                        && r.evidence().isPresent()
                        && r.evidence().get().destination().equals(victim + "/32"))
                .findFirst();
    }

    @Test
    void aFloodSpreadOverEveryDatacenterIsDetectedFromTheSumAndPublishedEverywhere() {
        // 8 kpps at each edge, each sampled at its own rate: every edge alone is below the
        // 20 kpps threshold, the sum (24 kpps) is above it — if it is scaled by each sample's rate.
        int[] rates = {50, 100, 200};
        fleet.playInBackground(() -> fleet.play(List.of(
                traffic(0, 8_000, rates[0], 1), traffic(1, 8_000, rates[1], 2), traffic(2, 8_000, rates[2], 3))));
        assertThat(8_000.0).as("one edge's share").isLessThan(SYN_THRESHOLD);

        Eventually.await(
                Duration.ofSeconds(15),
                () -> "a rule for the flood in etcd; rules " + fleet.rules() + ", status "
                        + controller.agents().size(),
                () -> ruleFor(fleet, VICTIM).isPresent());
        StoredRule rule = ruleFor(fleet, VICTIM).orElseThrow();
        assertThat(rule.id()).startsWith(controller.ruleIdPrefix());
        assertThat(rule.rule().datacenters())
                .as("all data centers see it: enabled everywhere")
                .isEmpty();
        assertThat(rule.evidence().get().trafficClass()).isEqualTo("tcp_syn");
        assertThat(rule.evidence().get().samplesPerDatacenter()).containsOnlyKeys(DATACENTERS);
        assertThat(rule.evidence().get().packetsPerSecond())
                .as("the sum of the three edges")
                .isGreaterThan(SYN_THRESHOLD);

        Eventually.await(
                Duration.ofSeconds(10),
                () -> "the rule published: " + fleet.manifest(),
                () -> fleet.manifest().map(m -> m.rules().contains(rule.id())).orElse(false));
        RulesetManifest manifest = fleet.manifest().orElseThrow();
        assertThat(manifest.controller()).isEqualTo("ctl-a");
        RuleSetObject object = RuleSetObject.fromElf("manifest " + manifest.version(), fleet.object(manifest));
        assertThat(object.rules()).extracting(r -> r.id()).contains(rule.id());
        for (String dc : DATACENTERS) {
            assertThat(object.constants(dc, Instant.now()))
                    .containsEntry(rule.rule().enabledSymbol(), 1L);
        }
        assertThat(controller.agents())
                .extracting(a -> a.assignment().datacenter())
                .containsExactlyInAnyOrder(DATACENTERS);
    }

    @Test
    void aFloodSeenInOneDatacenterGetsARuleEnabledOnlyThere() {
        fleet.playInBackground(
                () -> fleet.play(List.of(traffic(0, 0, 100, 11), traffic(1, 30_000, 100, 12), traffic(2, 0, 100, 13))));

        Eventually.await(
                Duration.ofSeconds(15),
                () -> "a rule for the flood in etcd; rules " + fleet.rules(),
                () -> ruleFor(fleet, VICTIM).isPresent());
        StoredRule rule = ruleFor(fleet, VICTIM).orElseThrow();
        assertThat(rule.rule().datacenters()).containsExactly("fra1");
        Eventually.await(
                Duration.ofSeconds(10),
                () -> "the rule published: " + fleet.manifest(),
                () -> fleet.manifest().map(m -> m.rules().contains(rule.id())).orElse(false));
        RulesetManifest manifest = fleet.manifest().orElseThrow();
        RuleSetObject object = RuleSetObject.fromElf("manifest " + manifest.version(), fleet.object(manifest));
        Map<String, Long> fra = object.constants("fra1", Instant.now());
        assertThat(fra).containsEntry(rule.rule().enabledSymbol(), 1L);
        assertThat(object.constants("ams1", Instant.now()))
                .containsEntry(rule.rule().enabledSymbol(), 0L);
        assertThat(object.constants("sin1", Instant.now()))
                .containsEntry(rule.rule().enabledSymbol(), 0L);
    }

    @Test
    void aRuleWidensToEveryDatacenterWhenTheFloodReachesASecondOfThree() {
        fleet.playInBackground(() -> fleet.play(List.of(
                floodAfter(0, 8, 0, 0, 100, 31),
                floodAfter(1, 1.5, 30_000, 7, 100, 32),
                floodAfter(2, 4, 30_000, 4.5, 100, 33))));

        Eventually.await(
                Duration.ofSeconds(15),
                () -> "a rule for the flood in etcd; rules " + fleet.rules(),
                () -> ruleFor(fleet, VICTIM).isPresent());
        StoredRule first = ruleFor(fleet, VICTIM).orElseThrow();
        assertThat(first.rule().datacenters()).as("fra1 alone at first").containsExactly("fra1");

        Eventually.await(
                Duration.ofSeconds(15),
                () -> "the rule widened once the flood reached sin1: " + fleet.rules(),
                () -> ruleFor(fleet, VICTIM)
                        .map(r -> r.rule().datacenters().isEmpty())
                        .orElse(false));
        StoredRule widened = ruleFor(fleet, VICTIM).orElseThrow();
        assertThat(widened.id()).as("the same rule").isEqualTo(first.id());
        assertThat(widened.created()).isEqualTo(first.created());
        assertThat(widened.rule().withDatacenters(List.of("fra1"))).isEqualTo(first.rule());
        Eventually.await(
                Duration.ofSeconds(10),
                () -> "the widened rule published: " + fleet.manifest(),
                () -> fleet.manifest()
                        .map(m -> Long.valueOf(1)
                                .equals(RuleSetObject.fromElf("manifest", fleet.object(m))
                                        .constants("ams1", Instant.now())
                                        .get(widened.rule().enabledSymbol())))
                        .orElse(false));
        RulesetManifest manifest = fleet.manifest().orElseThrow();
        RuleSetObject object = RuleSetObject.fromElf("manifest " + manifest.version(), fleet.object(manifest));
        for (String dc : DATACENTERS) {
            assertThat(object.constants(dc, Instant.now()))
                    .containsEntry(widened.rule().enabledSymbol(), 1L);
        }
        java.io.ByteArrayOutputStream metrics = new java.io.ByteArrayOutputStream();
        try {
            controller.metrics().write(metrics);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(metrics.toString()).contains("levee_controller_detector_decisions_total{kind=\"rule_widened\"} 1.0");
    }

    /**
     * The leader's rules watch stops delivering (as a stream stuck on a lagging member does): the
     * rule it writes itself is still published, from the rules read directly once the watch has
     * lagged behind the write for a second.
     */
    @Test
    void theLeadersOwnRuleIsPublishedWhenItsRulesWatchStalls() {
        Eventually.await(
                Duration.ofSeconds(10),
                "the first rule set",
                () -> fleet.manifest().isPresent());
        controller.stopRulesWatch();
        fleet.playInBackground(
                () -> fleet.play(List.of(traffic(0, 0, 100, 41), traffic(1, 30_000, 100, 42), traffic(2, 0, 100, 43))));
        Eventually.await(
                Duration.ofSeconds(15),
                () -> "a rule for the flood in etcd; rules " + fleet.rules(),
                () -> ruleFor(fleet, VICTIM).isPresent());
        String id = ruleFor(fleet, VICTIM).orElseThrow().id();
        Eventually.await(
                Duration.ofSeconds(10),
                () -> "the rule published without the watch: " + fleet.manifest(),
                () -> fleet.manifest().map(m -> m.rules().contains(id)).orElse(false));
    }

    @Test
    void oneEdgesShareAloneIsNoAttack() throws InterruptedException {
        fleet.play(List.of(traffic(0, 8_000, 100, 21), traffic(1, 0, 100, 22), traffic(2, 0, 100, 23)));
        Thread.sleep(500);
        assertThat(fleet.rules()).as("8 kpps is below the 20 kpps threshold").isEmpty();
        assertThat(controller.attacks()).isEmpty();
    }

    @Test
    void samplesOfUnregisteredAgentsAreUsedUnderUnknownAndCounted() throws Exception {
        Edge stranger = fleet.edge("198.51.100.200");
        fleet.play(List.of(() -> stranger.play(
                List.of(new Edge.Flow("web", Traffic.webClients(VICTIM), 10_000, 100)),
                Duration.ofMillis(500),
                new SplittableRandom(5))));
        Eventually.await(
                Duration.ofSeconds(5),
                "the stranger's samples",
                () -> controller.agents().stream()
                        .anyMatch(
                                a -> a.assignment().datacenter().equals(AgentDirectory.UNKNOWN) && a.samples() >= 45));
        java.io.ByteArrayOutputStream metrics = new java.io.ByteArrayOutputStream();
        controller.metrics().write(metrics);
        assertThat(metrics.toString())
                .contains("levee_controller_samples_total{agent=\"198.51.100.200\",datacenter=\"unknown\"} 50.0")
                .contains("levee_controller_detector_samples_uncounted_total 0.0")
                .contains("levee_controller_detector_samples_in_aggregate_only_total 0.0")
                .containsPattern("levee_controller_detector_destinations_forgotten_total [0-9]+\\.0");
    }
}
