package org.levee.lab.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.FloodKind;

class TargetsTest {

    static Stream<Long> seeds() {
        return LongStream.range(1, 301).boxed();
    }

    private static LegitSummary legit(long sentOutside, long lostOutside) {
        return new LegitSummary(
                new DeliveryCounts(sentOutside + 100, sentOutside + 100 - lostOutside - 3, 0),
                new DeliveryCounts(sentOutside, sentOutside - lostOutside, 0));
    }

    /** Random outcomes: each target's verdict agrees with a direct reading of the issue's rule. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void eachVerdictFollowsTheIssuesRule(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<AttackOutcome> attacks = new ArrayList<>();
        double t = 3;
        for (FloodKind kind : FloodKind.values()) {
            if (r.nextInt(4) == 0) {
                continue;
            }
            AttackOutcome a = r.nextInt(10) == 0 ? Outcomes.unmitigated(kind, t, 8) : Outcomes.random(r, kind, t);
            attacks.add(a);
            t = a.stoppedSeconds() + 10;
        }
        long sentOutside = 1 + r.nextLong(100_000);
        long lostOutside = r.nextLong(Math.max(1, sentOutside / 500));
        List<String> leftover = r.nextInt(8) == 0 ? List.of("auto-t1-9") : List.of();

        Map<String, TargetResult> results =
                Targets.evaluate(attacks, legit(sentOutside, lostOutside), leftover).stream()
                        .collect(Collectors.toMap(TargetResult::name, Function.identity()));

        boolean allMitigated = !attacks.isEmpty()
                && attacks.stream().allMatch(a -> a.timeToMitigate().isPresent());
        double[] times = attacks.stream()
                .mapToDouble(a -> a.timeToMitigate().orElse(Double.POSITIVE_INFINITY))
                .sorted()
                .toArray();
        double median = times.length == 0
                ? Double.NaN
                : times.length % 2 == 1
                        ? times[times.length / 2]
                        : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
        assertThat(results.get("time_to_mitigate_p50_s").met()).isEqualTo(median <= 1.0);
        assertThat(results.get("time_to_mitigate_max_s").met())
                .isEqualTo(allMitigated && Arrays.stream(times).allMatch(x -> x <= 2.0));
        assertThat(results.get("dropped_pct_after_mitigation_min").met())
                .isEqualTo(!attacks.isEmpty()
                        && attacks.stream()
                                .allMatch(a -> a.droppedPctAfterMitigation().isPresent()
                                        && a.droppedPctAfterMitigation().getAsDouble() >= 99.0));
        assertThat(results.get("legit_lost_pct_outside_detection").met()).isEqualTo(lostOutside * 1000 <= sentOutside);
        assertThat(results.get("auto_rules_not_retired").met())
                .isEqualTo(leftover.isEmpty() && attacks.stream().allMatch(AttackOutcome::retiredAfterEnd));
        assertThat(Targets.allMet(List.copyOf(results.values())))
                .isEqualTo(results.values().stream().allMatch(TargetResult::met));
    }

    @Test
    void fiveGoodAttacksMeetEveryTargetAndTheirMeasuresAreReported() {
        List<AttackOutcome> attacks = List.of(
                Outcomes.mitigated(FloodKind.SYN_FLOOD, 3, 0.4, 10, 6, 9_000_000, 0),
                Outcomes.mitigated(FloodKind.DNS_AMPLIFICATION, 20, 0.9, 10, 6, 9_000_000, 90_000),
                Outcomes.mitigated(FloodKind.MEMCACHED_AMPLIFICATION, 40, 1.9, 10, 6, 9_000_000, 0),
                Outcomes.mitigated(FloodKind.DNS_RANDOM_SUBDOMAIN, 60, 0.2, 10, 6, 9_000_000, 0),
                Outcomes.mitigated(FloodKind.UDP_RANDOM_PORTS, 80, 0.1, 10, 6, 9_000_000, 0));
        List<TargetResult> results = Targets.evaluate(attacks, legit(100_000, 100), List.of());
        assertThat(results).allMatch(TargetResult::met);
        assertThat(results.get(0).measured().getAsDouble()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(results.get(1).measured().getAsDouble()).isCloseTo(1.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(results.get(2).measured().getAsDouble())
                .isCloseTo(100.0 * 9_000_000 / 9_090_000, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(results.get(3).measured().getAsDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(results.get(4).measured().getAsDouble()).isZero();
    }

    @Test
    void anUnmitigatedAttackFailsTheTimeAndDropTargetsWithNothingMeasured() {
        List<AttackOutcome> attacks = List.of(
                Outcomes.mitigated(FloodKind.SYN_FLOOD, 3, 0.4, 10, 6, 100, 0),
                Outcomes.unmitigated(FloodKind.UDP_RANDOM_PORTS, 20, 10));
        List<TargetResult> results = Targets.evaluate(attacks, legit(1000, 0), List.of());
        assertThat(results.get(0).met()).isFalse();
        assertThat(results.get(0).measured()).isEmpty();
        assertThat(results.get(1).measured()).isEmpty();
        assertThat(results.get(2).measured()).isEmpty();
        assertThat(results.get(4).measured().getAsDouble()).isEqualTo(1);
    }

    @Test
    void aRuleRetiredBeforeItsAttackEndedDoesNotCountAsRetired() {
        AttackOutcome early = Outcomes.mitigated(FloodKind.SYN_FLOOD, 3, 0.4, 10, -2, 100, 0);
        assertThat(early.retiredAfterEnd()).isFalse();
        assertThat(Targets.evaluate(List.of(early), legit(1000, 0), List.of())
                        .get(4)
                        .met())
                .isFalse();
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Targets.median(new double[] {0.1, 0.5, 3})).isEqualTo(0.5);
        assertThat(Targets.median(new double[] {0.2, 0.4, 1.0, 9}))
                .isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Targets.median(new double[0])).isNaN();
        assertThatThrownBy(() -> Targets.median(new double[] {2, 1}))
                .hasMessage("median: values are not sorted: [2.0, 1.0]");
    }
}
