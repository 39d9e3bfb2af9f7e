package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.detector.rule.FilterCompiler;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.synth.Flow;
import org.levee.detector.synth.Scenario;
import org.levee.detector.synth.Traffic;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.Prefix;
import org.levee.rules.ProtectedEndpoint;
import org.levee.rules.RuleGuard;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/** The detector's rules through the rule guard, and the legitimate traffic it keeps for it. */
class DetectorGuardTest {

    private static final ProtectedEndpoint WEB_HTTPS = ProtectedEndpoint.parse("tcp 203.0.113.10:443");

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    private static List<Decision> of(List<Decision> decisions, Decision.Kind kind) {
        return decisions.stream().filter(d -> d.kind() == kind).toList();
    }

    private static List<Decision> run(RuleGuard guard, FilterCompiler compiler, Flow attack, long seed) {
        List<Flow> flows = AttackScenariosTest.legitimate(120, t -> 1.0);
        flows.add(attack);
        Detector detector = new Detector(DetectorConfig.defaults(), compiler, "auto-", guard);
        return AttackScenariosTest.run(detector, new Scenario(flows).samples(1000, 192, seed), 120);
    }

    /** A flood that looks like the web server's clients gets a rate limit on all its non-SYN TCP. */
    private static Flow lookAlikeFlood() {
        return Flow.steady(
                "look-alike flood", true, 45, 55, 150_000, Traffic.webClients(AttackScenariosTest.WEB), List.of("ams"));
    }

    @Test
    void aRuleThatWouldCutOffAProtectedEndpointIsNotMadeAndTheEvidenceSaysWhy() {
        List<Decision> decisions =
                run(new RuleGuard(List.of(WEB_HTTPS), 0.01), new FingerprintFilterCompiler(), lookAlikeFlood(), 21);

        assertThat(of(decisions, Decision.Kind.RULE_ADDED)).as("%s", decisions).isEmpty();
        List<Decision> refused = of(decisions, Decision.Kind.RULE_REFUSED);
        assertThat(refused).hasSize(1);
        Decision d = refused.getFirst();
        assertThat(d.rule().id()).isEqualTo("auto-1");
        assertThat(d.destination()).isEqualTo(Prefix.host(AttackScenariosTest.WEB));
        assertThat(d.attackEvidence().note())
                .contains("; the guard refused rule auto-1 (protected_endpoint): refused: it"
                        + " matches traffic to the protected endpoint tcp 203.0.113.10:443 (configured)")
                .contains("e.g. TCP ACK");
        // Unmitigated, the attack ends when its traffic stops; the detector retires nothing it never made.
        assertThat(of(decisions, Decision.Kind.ATTACK_ENDED)).hasSize(1);
        assertThat(of(decisions, Decision.Kind.RULE_RETIRED)).isEmpty();
    }

    @Test
    void aSpoofedFloodsFingerprintSparesTheEndpointAndIsMade() {
        Flow syn = Flow.steady(
                "SYN flood",
                true,
                45.3,
                75.3,
                200_000,
                Traffic.synFlood(AttackScenariosTest.WEB),
                AttackScenariosTest.DATACENTERS);
        List<Decision> decisions =
                run(new RuleGuard(List.of(WEB_HTTPS), 0.01), new FingerprintFilterCompiler(), syn, 1);
        assertThat(of(decisions, Decision.Kind.RULE_REFUSED))
                .as("%s", decisions)
                .isEmpty();
        assertThat(of(decisions, Decision.Kind.RULE_ADDED)).hasSize(1);
    }

    @Test
    void aRuleMatchingTooMuchLegitimateTrafficElsewhereIsNotMade() {
        // A filter compiler that forgets the destination: its class-wide rate limit hits every web server's clients.
        FingerprintFilterCompiler real = new FingerprintFilterCompiler();
        FilterCompiler careless = (destination, fingerprint) -> real.compile(Prefix.parse("0.0.0.0/0"), fingerprint);
        List<Decision> decisions = run(new RuleGuard(List.of(), 0.01), careless, lookAlikeFlood(), 21);

        assertThat(of(decisions, Decision.Kind.RULE_ADDED)).as("%s", decisions).isEmpty();
        assertThat(of(decisions, Decision.Kind.RULE_REFUSED))
                .singleElement()
                .satisfies(d -> assertThat(d.attackEvidence().note())
                        .containsPattern(
                                "the guard refused rule auto-1 \\(legitimate_share\\): refused: it matches [0-9.]+ % of the"
                                        + " legitimate traffic the detector saw in the last 60 s outside the rule's destinations")
                        .contains("the limit is 1.00 %"));
        // With the guard allowing everything the same detector makes the rule.
        assertThat(of(run(RuleGuard.allowAll(), careless, lookAlikeFlood(), 21), Decision.Kind.RULE_ADDED))
                .hasSize(1);
    }

    @Test
    void legitimateTrafficIsTheLastMinuteOfSamplesNoAttackClaimed() {
        List<Flow> flows = AttackScenariosTest.legitimate(120, t -> 1.0);
        Flow syn = Flow.steady(
                "SYN flood",
                true,
                45.3,
                75.3,
                200_000,
                Traffic.synFlood(AttackScenariosTest.WEB),
                AttackScenariosTest.DATACENTERS);
        flows.add(syn);
        List<Scenario.LabeledSample> samples = new Scenario(flows).samples(1000, 192, 3);
        Map<Sample, Flow> flowOf = new IdentityHashMap<>();
        samples.forEach(s -> flowOf.put(s.sample(), s.flow()));
        Detector detector =
                new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler(), "auto-", RuleGuard.allowAll());
        for (Scenario.LabeledSample s : samples) {
            if (s.sample().timestampNanos() > 70_000_000_000L) {
                break;
            }
            detector.advanceTo(s.sample().timestampNanos());
            detector.accept(s.sample());
        }
        LegitimateTraffic traffic = detector.legitimateTraffic();
        long attackSamples = traffic.samples().stream()
                .filter(w -> flowOf.get(w.sample()).attack())
                .count();
        long earlyAttack = traffic.samples().stream()
                .filter(w -> flowOf.get(w.sample()).attack() && w.sample().timestampNanos() > 47_000_000_000L)
                .count();
        // 200,000 pps of attack at 1 in 1000 for 25 s would be 5,000 samples: only its first moments, before
        // detection, are there.
        assertThat(attackSamples).isLessThan(400);
        assertThat(earlyAttack).isZero();
        assertThat(traffic.samples())
                .allSatisfy(w -> assertThat(w.sample().timestampNanos()).isGreaterThan(10_000_000_000L));
        // 14,000 pps of legitimate traffic for 60 s, at 1 in 1000 (all of each second's 14 samples kept).
        double legitimatePackets = traffic.samples().stream()
                .filter(w -> !flowOf.get(w.sample()).attack())
                .mapToDouble(LegitimateTraffic.Weighted::packets)
                .sum();
        assertThat(legitimatePackets).isBetween(0.9 * 14_000 * 60, 1.1 * 14_000 * 60);
    }

    @Test
    void eachSecondKeepsABoundedUniformSubsetWeightedByWhatItStandsFor() {
        LegitimateHistory history = new LegitimateHistory(50, 7);
        byte[] frame = new byte[60];
        for (int second = 0; second < 200; second++) {
            for (int i = 0; i < 1000; i++) {
                history.add(new Sample(frame, 60, 10, second * 1_000_000_000L + i * 1_000_000L, "local", "n1"));
            }
        }
        LegitimateTraffic traffic = history.snapshot(199_999_000_000L);
        assertThat(traffic.samples()).hasSize(60 * 50);
        assertThat(traffic.packets()).isCloseTo(60 * 1000 * 10.0, org.assertj.core.data.Offset.offset(1e-6));
        // Uniform within a second: the kept samples' times spread over the whole second, not its first 50 ms.
        double meanMillis = traffic.samples().stream()
                        .mapToLong(w -> w.sample().timestampNanos() % 1_000_000_000L)
                        .average()
                        .orElseThrow()
                / 1e6;
        assertThat(meanMillis).isBetween(400.0, 600.0);
    }
}
