package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.controller.detect.DetectionEngine;
import org.levee.controller.rules.AutoRuleSync;
import org.levee.controller.rules.FencedWrites;
import org.levee.controller.rules.RuleCatalog;
import org.levee.controller.rules.RulesetPublisher;
import org.levee.controller.testing.Edge;
import org.levee.controller.testing.Fleet;
import org.levee.detector.Decision;
import org.levee.detector.Detector;
import org.levee.detector.DetectorConfig;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.synth.Traffic;
import org.levee.rules.Action;
import org.levee.rules.IpAddress;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilters;
import org.levee.rules.StoredRule;
import org.levee.store.Fence;
import org.levee.store.NotLeaderException;
import org.levee.store.RulesetManifest;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * Two controllers on one etcd: one leads; when it dies without resigning the other takes over
 * within 5 s, adopts the automatic rule the dead one wrote (one rule per attack, never two) and
 * retires it when the flood stops. A deposed leader's writes are refused by etcd.
 */
class FailoverTest {
    static final IpAddress VICTIM = IpAddress.parse("203.0.113.10");
    static final String[] DATACENTERS = {"ams1", "fra1", "sin1"};
    static final String[] AGENTS = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
    static final Duration COOLDOWN = Duration.ofSeconds(3);

    Fleet fleet;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
        for (int i = 0; i < 3; i++) {
            fleet.register(DATACENTERS[i], "edge-" + i, AGENTS[i]);
        }
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private List<StoredRule> autoRulesForVictim() {
        return fleet.rules().stream()
                .filter(r -> r.rule().origin() == Origin.AUTO
                        && r.evidence().isPresent()
                        && r.evidence().get().destination().equals(VICTIM + "/32"))
                .toList();
    }

    @Test
    void theFollowerTakesOverAdoptsTheLeadersRuleAndRetiresItWhenTheFloodStops() throws Exception {
        DetectorConfig detector = DetectorConfig.defaults().withCooldown(COOLDOWN);
        Controller a = fleet.start(Fleet.config("ctl-a").withDetector(detector));
        Eventually.await(Duration.ofSeconds(10), "ctl-a leads", a::isLeader);
        Controller b = fleet.start(Fleet.config("ctl-b").withDetector(detector));
        Edge[] edges = {fleet.edge(AGENTS[0]), fleet.edge(AGENTS[1]), fleet.edge(AGENTS[2])};

        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicInteger most = new AtomicInteger();
        Future<?> watcher = fleet.playInBackground(() -> {
            while (watching.get()) {
                most.accumulateAndGet(autoRulesForVictim().size(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        AtomicBoolean flooding = new AtomicBoolean(true);
        Future<?> traffic = fleet.playInBackground(() -> fleet.play(
                List.of(flood(edges[0], 1, flooding), flood(edges[1], 2, flooding), flood(edges[2], 3, flooding))));

        Eventually.await(
                Duration.ofSeconds(15),
                () -> "ctl-a writes the flood's rule: " + fleet.rules(),
                () -> !autoRulesForVictim().isEmpty());
        StoredRule rule = autoRulesForVictim().getFirst();
        assertThat(rule.id()).startsWith(a.ruleIdPrefix());
        Eventually.await(
                Duration.ofSeconds(5),
                "ctl-b's warm detector has its own attack",
                () -> !b.attacks().isEmpty());

        long killed = System.nanoTime();
        a.halt();
        Duration takeover = Eventually.await(Duration.ofSeconds(5), "ctl-b takes over", b::isLeader);
        assertThat(takeover).isLessThan(Duration.ofSeconds(5));
        System.out.printf(
                "FailoverTest: ctl-b led %d ms after ctl-a was killed (leader TTL 2 s)%n", takeover.toMillis());
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(5));
        Eventually.await(
                Duration.ofSeconds(5),
                "ctl-b adopted ctl-a's rule",
                () -> b.attacks().stream()
                        .anyMatch(
                                x -> x.rule().map(r -> r.id().equals(rule.id())).orElse(false)));
        Thread.sleep(1000);
        assertThat(autoRulesForVictim())
                .extracting(StoredRule::id)
                .as("one rule for the attack")
                .containsExactly(rule.id());

        flooding.set(false);
        traffic.get();
        Eventually.await(
                Duration.ofSeconds(COOLDOWN.toSeconds() + 10),
                () -> "ctl-b retires the adopted rule: " + fleet.rules(),
                () -> autoRulesForVictim().isEmpty());
        Eventually.await(
                Duration.ofSeconds(10),
                () -> "ctl-b publishes the set without it: " + fleet.manifest(),
                () -> fleet.manifest()
                        .map(m -> m.controller().equals("ctl-b") && !m.rules().contains(rule.id()))
                        .orElse(false));
        watching.set(false);
        watcher.get();
        assertThat(most.get()).as("never two rules for one attack").isEqualTo(1);
        assertThat(b.attacks()).isEmpty();
    }

    @Test
    void anAutomaticRuleAnOperatorDeletesIsForgottenAndMadeAgainWhileTheAttackGoesOn() throws Exception {
        Controller a = fleet.start(Fleet.config("ctl-a"));
        Eventually.await(Duration.ofSeconds(10), "ctl-a leads", a::isLeader);
        Edge[] edges = {fleet.edge(AGENTS[0]), fleet.edge(AGENTS[1]), fleet.edge(AGENTS[2])};
        AtomicBoolean flooding = new AtomicBoolean(true);
        Future<?> traffic = fleet.playInBackground(() -> fleet.play(
                List.of(flood(edges[0], 7, flooding), flood(edges[1], 8, flooding), flood(edges[2], 9, flooding))));
        try {
            Eventually.await(
                    Duration.ofSeconds(15),
                    () -> "the flood's rule: " + fleet.rules(),
                    () -> !autoRulesForVictim().isEmpty());
            String first = autoRulesForVictim().getFirst().id();
            fleet.etcd().etcdctl("del", Fleet.KEYS.rule(first));
            Eventually.await(
                    Duration.ofSeconds(10),
                    () -> "a new rule for the attack: " + fleet.rules(),
                    () -> autoRulesForVictim().stream().anyMatch(r -> !r.id().equals(first)));
            assertThat(autoRulesForVictim())
                    .extracting(StoredRule::id)
                    .as("the deleted one stays deleted")
                    .doesNotContain(first)
                    .hasSize(1);
        } finally {
            flooding.set(false);
            traffic.get();
        }
    }

    /** Web clients, then a SYN flood of 8 kpps at each edge (24 kpps in all) until {@code flooding} goes false. */
    private static Runnable flood(Edge edge, long seed, AtomicBoolean flooding) {
        return () -> {
            SplittableRandom random = new SplittableRandom(seed);
            Edge.Flow web = new Edge.Flow("web", Traffic.webClients(VICTIM), 2_000, 100);
            edge.play(List.of(web), Duration.ofMillis(1500), random);
            Edge.Flow syn = new Edge.Flow("syn", Traffic.synFlood(VICTIM), 8_000, 100);
            while (flooding.get()) {
                edge.play(List.of(web, syn), Duration.ofMillis(500), random);
            }
        };
    }

    @Test
    void aDeposedLeaderWritesNothing() {
        Controller a = fleet.start(Fleet.config("ctl-a"));
        Eventually.await(
                Duration.ofSeconds(10),
                "ctl-a leads and publishes",
                () -> a.isLeader() && fleet.manifest().isPresent());
        KeyValue leaderKey = fleet.client().get(Fleet.KEYS.leader()).orElseThrow();
        Fence stale = new Fence(Fleet.KEYS.leader(), leaderKey.createRevision(), "ctl-a");
        RulesetManifest before = fleet.manifest().orElseThrow();

        // An operator forces an election: ctl-a's key goes, a new one (new create revision) comes.
        fleet.etcd().etcdctl("del", Fleet.KEYS.leader());
        Eventually.await(
                Duration.ofSeconds(10),
                "a new leader key",
                () -> fleet.client()
                        .get(Fleet.KEYS.leader())
                        .map(kv -> kv.createRevision() != stale.createRevision())
                        .orElse(false));

        // What the controller's writers do with the fence a deposed leader still holds:
        Rule rule = new Rule(
                "blocked",
                new Match.Filter("udp port 9"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.MANUAL);
        fleet.client()
                .put(
                        Fleet.KEYS.rule("blocked"),
                        org.levee.rules.StoredRuleCodec.toBytes(new StoredRule(rule, Instant.now(), Optional.empty())));
        RuleCatalog.Sources sources = new org.levee.controller.rules.RuleSourceStore(
                        fleet.client(), Fleet.KEYS, new RuleFilters(), Clock.systemUTC())
                .read();
        RulesetPublisher publisher = new RulesetPublisher(
                fleet.client(), Fleet.KEYS, new RuleFilters(), "ctl-a", Clock.systemUTC(), Optional.empty());
        assertThatThrownBy(() -> publisher.publish(sources, stale)).isInstanceOf(NotLeaderException.class);
        assertThatThrownBy(() -> FencedWrites.write(
                        fleet.client(), stale, List.of(), List.of(Op.put(Fleet.KEYS.problems(), new byte[] {'{', '}'
                        }))))
                .isInstanceOf(NotLeaderException.class);

        DetectionEngine engine = new DetectionEngine(
                new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler(), "auto-x-"));
        AutoRuleSync sync = new AutoRuleSync(fleet.client(), Fleet.KEYS, engine, "auto-x-", Clock.systemUTC());
        sync.elected(stale, sources);
        Rule auto = new Rule(
                "auto-x-1",
                Match.Cbpf.parse("1,6 0 0 65535"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.AUTO);
        sync.decisions(List.of(new Decision(
                0,
                Decision.Kind.RULE_ADDED,
                Prefix.parse("203.0.113.10/32"),
                org.levee.detector.sample.TrafficClass.UDP,
                auto,
                new org.levee.detector.Evidence(
                        org.levee.detector.Trigger.THRESHOLD,
                        1,
                        1,
                        org.levee.detector.Threshold.packets(1),
                        0,
                        1,
                        null,
                        new TreeMap<>(),
                        ""))));
        assertThatThrownBy(sync::flush).isInstanceOf(NotLeaderException.class);
        assertThat(sync.leading()).isFalse();

        assertThat(fleet.client().get(Fleet.KEYS.rule("auto-x-1")))
                .as("no rule written")
                .isEmpty();
        Eventually.await(
                Duration.ofSeconds(10),
                "the real leader publishes 'blocked'",
                () -> fleet.manifest().map(m -> m.rules().contains("blocked")).orElse(false));
        assertThat(fleet.manifest().orElseThrow().version()).isGreaterThan(before.version());
        assertThat(fleet.client()
                        .get(Fleet.KEYS.problems())
                        .map(KeyValue::valueUtf8)
                        .orElse(""))
                .isNotEqualTo("{}");
    }
}
