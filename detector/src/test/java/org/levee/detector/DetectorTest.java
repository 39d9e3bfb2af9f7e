package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.detector.rule.Action;
import org.levee.detector.rule.DatacenterScope;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.rule.Origin;
import org.levee.detector.rule.Rule;
import org.levee.detector.rule.RuleFilter;
import org.levee.detector.rule.LibpcapTcpdumpCompiler;
import org.levee.detector.sample.IpAddress;
import org.levee.detector.sample.Prefix;
import org.levee.detector.sample.Sample;
import org.levee.detector.sample.TrafficClass;
import org.levee.detector.synth.Flow;
import org.levee.detector.synth.Scenario;
import org.levee.detector.synth.Traffic;
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
        assertThat(rule.action()).isEqualTo(Action.RATELIMIT);
        assertThat(rule.ratelimitPacketsPerSecond()).isEqualTo(100_000);
        assertThat(rule.trafficClass()).isEqualTo(TrafficClass.TCP_OTHER);
        assertThat(rule.datacenters()).isEqualTo(DatacenterScope.of(List.of("ams")));
        assertThat(rule.filter().description()).contains("dst host 203.0.113.10").contains("tcp[13] & 0x12 != 0x02");
        Evidence evidence = added.getFirst().evidence();
        assertThat(evidence.trigger()).isEqualTo(Trigger.THRESHOLD);
        assertThat(evidence.selection().fingerprint()).isNull();
        assertThat(evidence.selection().rejected()).anySatisfy(r -> assertThat(r.reason()).contains("pre-attack samples"));
        assertThat(of(decisions, Decision.Kind.RULE_RETIRED)).hasSize(1);
    }

    @Test
    void aPulsingAttackKeepsOneRuleUntilTheCoolDownAfterItsLastPulse() {
        List<Flow> flows = AttackScenariosTest.legitimate(220, t -> 1.0);
        for (int pulse = 0; pulse < 4; pulse++) {
            double start = 45 + 20 * pulse;
            flows.add(Flow.steady("pulse " + pulse, true, start, start + 10, 200_000, Traffic.synFlood(WEB),
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
        DetectorConfig config = DetectorConfig.defaults().withOverrides(List.of(new ThresholdOverride(
                Prefix.parse("203.0.113.96/30"), false, TrafficClass.UDP, Threshold.packets(5_000))));
        List<Flow> flows = AttackScenariosTest.legitimate(120, t -> 1.0);
        flows.add(Flow.steady("small flood", true, 40, 50, 8_000, Traffic.udpFlood(quiet), List.of("ams")));
        flows.add(Flow.steady("same flood elsewhere", true, 40, 50, 8_000,
                Traffic.udpFlood(IpAddress.parse("203.0.113.150")), List.of("ams")));
        List<Decision> decisions = run(config, flows, 120, 23);

        List<Decision> added = of(decisions, Decision.Kind.RULE_ADDED);
        assertThat(added).as("%s", decisions).hasSize(1);
        assertThat(added.getFirst().destination()).isEqualTo(Prefix.host(quiet));
        assertThat(added.getFirst().evidence().threshold()).isEqualTo(Threshold.packets(5_000));
        assertThat(added.getFirst().rule().datacenters()).isEqualTo(DatacenterScope.of(List.of("ams")));
    }

    @Test
    void decisionsExplainThemselves() {
        List<Flow> flows = AttackScenariosTest.legitimate(60, t -> 1.0);
        flows.add(Flow.steady("syn", true, 40, 50, 200_000, Traffic.synFlood(WEB), AttackScenariosTest.DATACENTERS));
        List<Decision> decisions = run(DetectorConfig.defaults().withCooldown(Duration.ofSeconds(5)), flows, 60, 24);

        Decision detected = of(decisions, Decision.Kind.ATTACK_DETECTED).getFirst();
        assertThat(detected.evidence().packetsPerSecond()).isGreaterThanOrEqualTo(10_000);
        Decision added = of(decisions, Decision.Kind.RULE_ADDED).getFirst();
        assertThat(added.evidence().selection().fingerprint().values()).containsKeys(
                org.levee.detector.fingerprint.Field.TTL, org.levee.detector.fingerprint.Field.TCP_WINDOW,
                org.levee.detector.fingerprint.Field.TCP_OPTIONS);
        assertThat(added.evidence().selection().rejected())
                .anySatisfy(r -> assertThat(r.toString()).startsWith("source_port=").contains("spread"));
        assertThat(added.toString()).contains("coverage=").contains("baseline-match=").contains("rejected=")
                .contains("threshold=20000 pps");
        Decision retired = of(decisions, Decision.Kind.RULE_RETIRED).getFirst();
        assertThat(retired.evidence().note()).contains("for 5 s");
        assertThat(retired.timeNanos() / 1e9).isBetween(55.0, 58.0);
    }

    @Test
    void manualRulesAreNeverRetired() {
        Detector detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        String expression = "udp and dst host 203.0.113.10";
        Rule manual = new Rule("block-udp", Prefix.host(WEB), TrafficClass.UDP,
                new RuleFilter(expression, new LibpcapTcpdumpCompiler().compile(expression)), DatacenterScope.ALL,
                Action.DROP, 0, Origin.MANUAL);
        detector.addManualRule(manual);
        for (Scenario.LabeledSample s : new Scenario(AttackScenariosTest.legitimate(30, t -> 1.0)).samples(1000, 192, 25)) {
            detector.accept(s.sample());
        }
        detector.advanceTo(3_600_000_000_000L);
        assertThat(detector.rules()).containsExactly(manual);
        assertThat(detector.drainDecisions()).isEmpty();
        assertThatThrownBy(() -> detector.addManualRule(manual)).hasMessageContaining("block-udp exists already");
        assertThatThrownBy(() -> detector.addManualRule(new Rule("x", manual.destination(), TrafficClass.UDP,
                manual.filter(), DatacenterScope.ALL, Action.DROP, 0, Origin.AUTO))).hasMessageContaining("not a manual rule");
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
        assertThatThrownBy(() -> new Sample(new byte[10], 5, 1, 0, "ams", "n"))
                .hasMessageContaining("'wireLength' is 5, shorter than the 10 captured bytes");
        assertThatThrownBy(() -> new Sample(new byte[10], 10, 0, 0, "ams", "n")).hasMessageContaining("'samplingRate' is 0");
        DetectorConfig d = DetectorConfig.defaults();
        Map<TrafficClass, Threshold> partial = new EnumMap<>(d.hostThresholds());
        partial.remove(TrafficClass.ICMP);
        assertThatThrownBy(() -> new DetectorConfig(partial, d.aggregateThresholds(), d.overrides(), 24, 64, 1, 8, 1, 1, 1,
                0.5, Duration.ZERO, 0.95, 0.01, 1, Duration.ZERO, 16, 512, 64, 8, 0.01, 1))
                .hasMessageContaining("'hostThresholds' has no threshold for class ICMP");
        assertThatThrownBy(() -> new DetectorConfig(d.hostThresholds(), d.aggregateThresholds(), d.overrides(), 33, 64, 1, 8, 1,
                1, 1, 0.5, Duration.ZERO, 0.95, 0.01, 1, Duration.ZERO, 16, 512, 64, 8, 0.01, 1))
                .hasMessageContaining("'aggregateLengthV4' is out of range: 33");
        assertThatThrownBy(() -> d.withCooldown(Duration.ofSeconds(-1))).hasMessageContaining("'cooldown'");
        assertThatThrownBy(() -> Threshold.packets(0)).hasMessageContaining("packetsPerSecond must be positive");
        assertThatThrownBy(() -> Prefix.parse("203.0.113.1/24")).hasMessageContaining("has host bits set");
        assertThatThrownBy(() -> Prefix.parse("203.0.113.0/x")).hasMessageContaining("length is not a number");
        assertThatThrownBy(() -> IpAddress.parse("host.example")).hasMessageContaining("not an IP address literal");
        assertThatThrownBy(() -> new Rule("r", Prefix.host(WEB), TrafficClass.UDP, new RuleFilter("x",
                org.levee.cbpf.CbpfProgram.of(org.levee.cbpf.CbpfInstruction.retK(0))), DatacenterScope.ALL,
                Action.RATELIMIT, 0, Origin.MANUAL)).hasMessageContaining("rule r: a ratelimit rule needs a positive rate");
    }

    @Test
    void addressesAndPrefixesRoundTrip() {
        for (String text : List.of("192.0.2.1", "203.0.113.255", "2001:db8::1", "2001:db8:ffff::", "::1", "2001:db8:1:2:3:4:5:6")) {
            IpAddress a = IpAddress.parse(text);
            assertThat(a).hasToString(text);
            assertThat(IpAddress.fromBytes(a.toBytes())).isEqualTo(a);
        }
        assertThat(Prefix.of(IpAddress.parse("2001:db8:ffff::10"), 64)).hasToString("2001:db8:ffff::/64");
        assertThat(Prefix.parse("203.0.113.0/24").contains(IpAddress.parse("203.0.113.77"))).isTrue();
        assertThat(Prefix.parse("203.0.113.0/24").contains(IpAddress.parse("203.0.114.1"))).isFalse();
        List<String> seen = new ArrayList<>();
        for (int length = 0; length <= 128; length += 16) {
            seen.add(Prefix.of(IpAddress.parse("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"), length).toString());
        }
        assertThat(seen).contains("::/0", "2001:db8::/32", "2001:db8:aaaa:bbbb::/64",
                "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff/128");
    }
}
