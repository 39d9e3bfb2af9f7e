package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.rule.LibpcapTcpdumpCompiler;
import org.levee.detector.sample.TrafficClass;
import org.levee.detector.synth.Flow;
import org.levee.detector.synth.Scenario;
import org.levee.detector.synth.Traffic;
import org.levee.rules.Action;
import org.levee.rules.IpAddress;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

class DetectorTest {

    static final IpAddress WEB = AttackScenariosTest.WEB;

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    private static List<Decision> run(DetectorConfig config, List<Flow> flows, double end, long seed) {
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        return AttackScenariosTest.run(detector, new Scenario(flows).samples(1000, 192, seed), end);
    }

    private static List<Decision> of(List<Decision> decisions, Decision.Kind kind) {
        return decisions.stream().filter(d -> d.kind() == kind).toList();
    }

    @Test
    void aFloodThatLooksLikeNormalTrafficIsRateLimitedNotDropped() {
        List<Flow> flows = AttackScenariosTest.legitimate(120, t -> 1.0);
        flows.add(Flow.steady("look-alike flood", true, 45, 55, 150_000, Traffic.webClients(WEB), List.of("ams")));
        List<Decision> decisions = run(DetectorConfig.defaults(), flows, 120, 21);

        List<Decision> added = of(decisions, Decision.Kind.RULE_ADDED);
        assertThat(added).as("%s", decisions).hasSize(1);
        Rule rule = added.getFirst().rule();
        assertThat(rule.action()).isEqualTo(new Action.RateLimit(100_000, 100_000));
        assertThat(added.getFirst().trafficClass()).isEqualTo(TrafficClass.TCP_OTHER);
        assertThat(rule.datacenters()).containsExactly("ams");
        assertThat(rule.origin()).isEqualTo(Origin.AUTO);
        assertThat(rule.destinations())
                .as("the filter tests the destination itself")
                .isEmpty();
        assertThat(((Match.Cbpf) rule.match()).description())
                .contains("dst host 203.0.113.10")
                .contains("tcp[13] & 0x12 != 0x02");
        assertThat(rule.comment()).startsWith("tcp_other attack on 203.0.113.10/32: (");
        Evidence evidence = added.getFirst().evidence();
        assertThat(evidence.trigger()).isEqualTo(Trigger.THRESHOLD);
        assertThat(evidence.selection().fingerprint()).isNull();
        assertThat(evidence.selection().rejected())
                .anySatisfy(r -> assertThat(r.reason()).contains("pre-attack samples"));
        assertThat(of(decisions, Decision.Kind.RULE_RETIRED)).hasSize(1);
    }

    @Test
    void aPulsingAttackKeepsOneRuleUntilTheCoolDownAfterItsLastPulse() {
        List<Flow> flows = AttackScenariosTest.legitimate(220, t -> 1.0);
        for (int pulse = 0; pulse < 4; pulse++) {
            double start = 45 + 20 * pulse;
            flows.add(Flow.steady(
                    "pulse " + pulse,
                    true,
                    start,
                    start + 10,
                    200_000,
                    Traffic.synFlood(WEB),
                    AttackScenariosTest.DATACENTERS));
        }
        List<Decision> decisions = run(DetectorConfig.defaults(), flows, 220, 22);

        assertThat(of(decisions, Decision.Kind.RULE_ADDED)).as("%s", decisions).hasSize(1);
        List<Decision> retired = of(decisions, Decision.Kind.RULE_RETIRED);
        assertThat(retired).hasSize(1);
        double lastPulseEnd = 45 + 20 * 3 + 10;
        assertThat(retired.getFirst().timeNanos() / 1e9).isBetween(lastPulseEnd + 60, lastPulseEnd + 63);
    }

    @Test
    void aPerPrefixThresholdOverridesTheDefault() {
        IpAddress quiet = IpAddress.parse("203.0.113.99");
        DetectorConfig config = DetectorConfig.defaults()
                .withOverrides(List.of(new ThresholdOverride(
                        Prefix.parse("203.0.113.96/30"), false, TrafficClass.UDP, Threshold.packets(5_000))));
        List<Flow> flows = AttackScenariosTest.legitimate(120, t -> 1.0);
        flows.add(Flow.steady("small flood", true, 40, 50, 8_000, Traffic.udpFlood(quiet), List.of("ams")));
        flows.add(Flow.steady(
                "same flood elsewhere",
                true,
                40,
                50,
                8_000,
                Traffic.udpFlood(IpAddress.parse("203.0.113.150")),
                List.of("ams")));
        List<Decision> decisions = run(config, flows, 120, 23);

        List<Decision> added = of(decisions, Decision.Kind.RULE_ADDED);
        assertThat(added).as("%s", decisions).hasSize(1);
        assertThat(added.getFirst().destination()).isEqualTo(Prefix.host(quiet));
        assertThat(added.getFirst().evidence().threshold()).isEqualTo(Threshold.packets(5_000));
        assertThat(added.getFirst().rule().datacenters()).containsExactly("ams");
    }

    @Test
    void decisionsExplainThemselves() {
        List<Flow> flows = AttackScenariosTest.legitimate(60, t -> 1.0);
        flows.add(Flow.steady("syn", true, 40, 50, 200_000, Traffic.synFlood(WEB), AttackScenariosTest.DATACENTERS));
        List<Decision> decisions = run(DetectorConfig.defaults().withCooldown(Duration.ofSeconds(5)), flows, 60, 24);

        Decision detected = of(decisions, Decision.Kind.ATTACK_DETECTED).getFirst();
        assertThat(detected.evidence().packetsPerSecond()).isGreaterThanOrEqualTo(10_000);
        Decision added = of(decisions, Decision.Kind.RULE_ADDED).getFirst();
        assertThat(added.evidence().selection().fingerprint().values())
                .containsKeys(
                        org.levee.detector.fingerprint.Field.TTL,
                        org.levee.detector.fingerprint.Field.TCP_WINDOW,
                        org.levee.detector.fingerprint.Field.TCP_OPTIONS);
        assertThat(added.evidence().selection().rejected())
                .anySatisfy(
                        r -> assertThat(r.toString()).startsWith("source_port=").contains("spread"));
        assertThat(added.toString())
                .contains("coverage=")
                .contains("baseline-match=")
                .contains("rejected=")
                .contains("threshold=20000 pps");
        Decision retired = of(decisions, Decision.Kind.RULE_RETIRED).getFirst();
        assertThat(retired.evidence().note()).contains("for 5 s");
        assertThat(retired.timeNanos() / 1e9).isBetween(55.0, 58.0);
    }

    @Test
    void manualRulesAreNeverRetired() {
        Detector detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        String expression = "udp and dst host 203.0.113.10";
        Rule manual = new Rule(
                "block-udp",
                new Match.Cbpf(new LibpcapTcpdumpCompiler().compile(expression), expression),
                List.of(),
                List.of(),
                new Action.Drop(),
                java.util.Optional.empty(),
                "",
                Origin.MANUAL);
        detector.addManualRule(manual);
        for (Scenario.LabeledSample s :
                new Scenario(AttackScenariosTest.legitimate(30, t -> 1.0)).samples(1000, 192, 25)) {
            detector.accept(s.sample());
        }
        detector.advanceTo(3_600_000_000_000L);
        assertThat(detector.rules()).containsExactly(manual);
        assertThat(detector.drainDecisions()).isEmpty();
        assertThatThrownBy(() -> detector.addManualRule(manual)).hasMessageContaining("block-udp exists already");
        assertThatThrownBy(() -> detector.addManualRule(new Rule(
                        "x",
                        manual.match(),
                        List.of(),
                        List.of(),
                        new Action.Drop(),
                        java.util.Optional.empty(),
                        "",
                        Origin.AUTO)))
                .hasMessageContaining("not a manual rule");
        assertThat(detector.removeManualRule("block-udp")).isTrue();
        assertThat(detector.rules()).isEmpty();
    }

    @Test
    void samplesGoingBackInTimeAreRefusedAndJunkIsCounted() {
        Detector detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        detector.accept(new Sample(new byte[] {1, 2, 3}, 3, 1000, 5_000_000_000L, "ams", "ams-1"));
        assertThat(detector.samplesUndecodable()).isEqualTo(1);
        assertThatThrownBy(() -> detector.accept(new Sample(new byte[0], 0, 1000, 4_000_000_000L, "ams", "ams-1")))
                .hasMessageContaining("sample 2 at 4000000000 ns is older than the detector's clock");
    }

    @Test
    void badInputNamesTheField() {
        DetectorConfig d = DetectorConfig.defaults();
        Map<TrafficClass, Threshold> partial = new EnumMap<>(d.hostThresholds());
        partial.remove(TrafficClass.ICMP);
        assertThatThrownBy(() -> new DetectorConfig(
                        partial,
                        d.aggregateThresholds(),
                        d.overrides(),
                        24,
                        64,
                        1,
                        8,
                        1,
                        1,
                        1,
                        0.5,
                        Duration.ZERO,
                        0.95,
                        0.01,
                        1,
                        Duration.ZERO,
                        16,
                        512,
                        64,
                        8,
                        0.01,
                        1))
                .hasMessageContaining("'hostThresholds' has no threshold for class ICMP");
        assertThatThrownBy(() -> new DetectorConfig(
                        d.hostThresholds(),
                        d.aggregateThresholds(),
                        d.overrides(),
                        33,
                        64,
                        1,
                        8,
                        1,
                        1,
                        1,
                        0.5,
                        Duration.ZERO,
                        0.95,
                        0.01,
                        1,
                        Duration.ZERO,
                        16,
                        512,
                        64,
                        8,
                        0.01,
                        1))
                .hasMessageContaining("'aggregateLengthV4' is out of range: 33");
        assertThatThrownBy(() -> d.withCooldown(Duration.ofSeconds(-1))).hasMessageContaining("'cooldown'");
        assertThatThrownBy(() -> Threshold.packets(0)).hasMessageContaining("packetsPerSecond must be positive");
    }
}
