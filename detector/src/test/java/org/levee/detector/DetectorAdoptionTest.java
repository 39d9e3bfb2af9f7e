package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.sample.TrafficClass;
import org.levee.detector.synth.Flow;
import org.levee.detector.synth.Scenario;
import org.levee.detector.synth.Traffic;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.testing.Requirements;

/**
 * A detector takes over the rules another detector made (a new leader controller adopting the
 * automatic rules in the store): one rule per attack, retired when the attack is over.
 */
class DetectorAdoptionTest {
    static final double FLOOD_START = 45.3;
    static final double FLOOD_END = 75.3;
    static final double END = 150;

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    private static List<Scenario.LabeledSample> flood(long seed) {
        List<Flow> flows = AttackScenariosTest.legitimate(END, t -> 1.0);
        flows.add(Flow.steady(
                "syn flood",
                true,
                FLOOD_START,
                FLOOD_END,
                200_000,
                Traffic.synFlood(AttackScenariosTest.WEB),
                AttackScenariosTest.DATACENTERS));
        return new Scenario(flows).samples(1000, 192, seed);
    }

    /** Feeds samples with timestamps in [from, to) seconds and lets the clock reach {@code to}. */
    private static List<Decision> feed(Detector d, List<Scenario.LabeledSample> samples, double from, double to) {
        List<Decision> out = new ArrayList<>();
        for (Scenario.LabeledSample s : samples) {
            double t = s.sample().timestampNanos() / 1e9;
            if (t >= from && t < to) {
                d.advanceTo(s.sample().timestampNanos());
                d.accept(s.sample());
                out.addAll(d.drainDecisions());
            }
        }
        for (double t = from; t <= to; t += 0.5) {
            d.advanceTo((long) (t * 1e9));
        }
        d.advanceTo((long) (to * 1e9));
        out.addAll(d.drainDecisions());
        return out;
    }

    private static List<Decision> of(List<Decision> decisions, Decision.Kind kind) {
        return decisions.stream().filter(x -> x.kind() == kind).toList();
    }

    private static Detector detector(String prefix) {
        return new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler(), prefix);
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33})
    void aWarmFollowerMergesTheLeadersRuleIntoItsOwnAttackAndRetiresIt(long seed) {
        List<Scenario.LabeledSample> samples = flood(seed);
        Detector leader = detector("auto-lead-");
        Detector follower = detector("auto-follow-");
        Decision made =
                of(feed(leader, samples, 0, 50), Decision.Kind.RULE_ADDED).getFirst();
        List<Decision> followerSaw = feed(follower, samples, 0, 50);
        String own = of(followerSaw, Decision.Kind.RULE_ADDED).getFirst().rule().id();
        assertThat(own).startsWith("auto-follow-");

        Detector.Adoption adoption = follower.adopt(made.rule(), made.attackEvidence());
        assertThat(adoption.outcome()).isEqualTo(Detector.Adoption.Outcome.MERGED);
        assertThat(adoption.replaced()).contains(own);
        assertThat(follower.rules())
                .extracting(Rule::id)
                .containsExactly(made.rule().id());
        assertThat(follower.adopt(made.rule(), made.attackEvidence()).outcome())
                .isEqualTo(Detector.Adoption.Outcome.KNOWN);

        List<Decision> after = feed(follower, samples, 50, END);
        assertThat(of(after, Decision.Kind.RULE_ADDED))
                .as("no second rule for the attack: %s", after)
                .isEmpty();
        List<Decision> retired = of(after, Decision.Kind.RULE_RETIRED);
        assertThat(retired).hasSize(1);
        assertThat(retired.getFirst().rule().id()).isEqualTo(made.rule().id());
        assertThat(retired.getFirst().timeNanos() / 1e9).isBetween(FLOOD_END + 60, FLOOD_END + 63);
        assertThat(follower.rules()).isEmpty();
        assertThat(follower.attacks()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {41, 42})
    void aColdDetectorAdoptsARuleMidAttackAndRetiresItAfterTheFlood(long seed) {
        List<Scenario.LabeledSample> samples = flood(seed);
        Detector leader = detector("auto-lead-");
        Decision made =
                of(feed(leader, samples, 0, 55), Decision.Kind.RULE_ADDED).getFirst();

        Detector cold = detector("auto-new-");
        cold.advanceTo(55_000_000_000L);
        assertThat(cold.adopt(made.rule(), made.attackEvidence()).outcome())
                .isEqualTo(Detector.Adoption.Outcome.ADOPTED);
        assertThat(cold.attacks()).singleElement().satisfies(a -> {
            assertThat(a.destination().toString()).isEqualTo("203.0.113.10/32");
            assertThat(a.trafficClass()).isEqualTo(TrafficClass.TCP_SYN);
            assertThat(a.rule())
                    .get()
                    .extracting(Rule::id)
                    .isEqualTo(made.rule().id());
            assertThat(a.evidence().triggerPacketsPerSecond())
                    .as("the level that started it, from the evidence")
                    .isEqualTo(made.evidence().triggerPacketsPerSecond());
        });

        List<Decision> after = feed(cold, samples, 55, END);
        assertThat(of(after, Decision.Kind.RULE_ADDED)).as("%s", after).isEmpty();
        assertThat(of(after, Decision.Kind.ATTACK_DETECTED))
                .as("the flood is the adopted attack")
                .isEmpty();
        List<Decision> retired = of(after, Decision.Kind.RULE_RETIRED);
        assertThat(retired).singleElement().satisfies(r -> {
            assertThat(r.rule().id()).isEqualTo(made.rule().id());
            assertThat(r.timeNanos() / 1e9).as("the flood's samples kept it").isBetween(FLOOD_END + 60, FLOOD_END + 63);
        });
    }

    @Test
    void anAdoptedRuleWhoseAttackIsOverIsRetiredAfterTheCoolDown() {
        List<Scenario.LabeledSample> samples = flood(51);
        Decision made = of(feed(detector("auto-lead-"), samples, 0, 50), Decision.Kind.RULE_ADDED)
                .getFirst();
        Detector later = detector("auto-later-");
        later.advanceTo(200_000_000_000L);
        later.adopt(made.rule(), made.attackEvidence());
        for (double t = 200; t < 259; t += 0.5) {
            later.advanceTo((long) (t * 1e9));
        }
        assertThat(later.drainDecisions()).isEmpty();
        later.advanceTo(261_000_000_000L);
        assertThat(later.drainDecisions()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Decision.Kind.RULE_RETIRED);
            assertThat(d.rule().id()).isEqualTo(made.rule().id());
        });
    }

    @Test
    void forgettingARuleLetsTheDetectorMakeANewOneForAnAttackThatGoesOn() {
        List<Scenario.LabeledSample> samples = flood(61);
        Detector d = detector("auto-x-");
        String first = of(feed(d, samples, 0, 50), Decision.Kind.RULE_ADDED)
                .getFirst()
                .rule()
                .id();
        assertThat(d.forget(first)).isTrue();
        assertThat(d.forget(first)).isFalse();
        assertThat(d.rules()).isEmpty();
        List<Decision> after = feed(d, samples, 50, 60);
        assertThat(of(after, Decision.Kind.RULE_ADDED))
                .singleElement()
                .satisfies(x -> assertThat(x.rule().id()).isEqualTo("auto-x-2"));
    }

    @Test
    void onlyAutomaticClassicBpfRulesWithADestinationAreAdopted() {
        List<Scenario.LabeledSample> samples = flood(71);
        Decision made = of(feed(detector("auto-a-"), samples, 0, 50), Decision.Kind.RULE_ADDED)
                .getFirst();
        Rule rule = made.rule();
        AttackEvidence e = made.attackEvidence();
        Detector d = detector("auto-b-");
        Rule manual = new Rule(
                "m", rule.match(), List.of(), List.of(), new Action.Drop(), Optional.empty(), "", Origin.MANUAL);
        assertThat(d.adopt(manual, e).reason()).startsWith("origin:");
        Rule filter = new Rule(
                "f",
                new Match.Filter("udp"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.AUTO);
        assertThat(d.adopt(filter, e).reason()).startsWith("filter:");
        AttackEvidence nowhere = new AttackEvidence(
                "203.0.0.0/16",
                e.trafficClass(),
                e.trigger(),
                1,
                1,
                null,
                null,
                0,
                null,
                null,
                null,
                0,
                null,
                null,
                "");
        assertThat(d.adopt(rule, nowhere).reason()).contains("neither a host nor a /24");
        AttackEvidence noClass = new AttackEvidence(
                e.destination(), "lava", e.trigger(), 1, 1, null, null, 0, null, null, null, 0, null, null, "");
        assertThat(d.adopt(rule, noClass).reason()).startsWith("evidence.traffic_class:");
        assertThat(d.rules()).isEmpty();
        assertThat(d.attacks()).isEmpty();
    }

    @Test
    void rulesAreNamedWithThePrefix() {
        assertThat(of(feed(detector("auto-t5k2x1-3fa2-"), flood(81), 0, 50), Decision.Kind.RULE_ADDED))
                .singleElement()
                .satisfies(x -> assertThat(x.rule().id()).isEqualTo("auto-t5k2x1-3fa2-1"));
        assertThatThrownBy(() -> detector("Auto-")).isInstanceOf(IllegalArgumentException.class);
    }
}
