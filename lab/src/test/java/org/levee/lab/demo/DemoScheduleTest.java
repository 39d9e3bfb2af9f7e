package org.levee.lab.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.lab.FloodKind;

class DemoScheduleTest {

    static Stream<Long> seeds() {
        return LongStream.range(1, 201).boxed();
    }

    /** Random kinds (in random order), cool-down and a duration at least the minimum. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void spreadAttacksFitOneAfterAnotherEachWithTimeToRetire(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<FloodKind> kinds = new ArrayList<>(List.of(FloodKind.values()));
        java.util.Collections.shuffle(kinds, new java.util.Random(seed));
        kinds = kinds.subList(0, 1 + r.nextInt(kinds.size()));
        Duration cooldown = Duration.ofSeconds(1 + r.nextInt(30));
        int minimum = DemoSchedule.minimumSeconds(kinds.size(), cooldown);
        int total = minimum + r.nextInt(200);

        DemoSchedule s = DemoSchedule.spread(total, kinds, 1000 + r.nextInt(1_000_000), cooldown);

        assertThat(s.attacks()).extracting(AttackPlan::kind).containsExactlyElementsOf(kinds);
        assertThat(s.attacks().getFirst().startSeconds()).isEqualTo(DemoSchedule.WARMUP_SECONDS);
        double quiet = cooldown.toSeconds() + DemoSchedule.RETIRE_MARGIN_SECONDS;
        for (int i = 0; i < kinds.size(); i++) {
            AttackPlan a = s.attacks().get(i);
            double nextStart = i + 1 < kinds.size() ? s.attacks().get(i + 1).startSeconds() : total;
            assertThat(a.durationSeconds()).isGreaterThanOrEqualTo(DemoSchedule.MIN_ATTACK_SECONDS - 1e-9);
            assertThat(nextStart - a.endSeconds()).as("quiet time after %s", a).isGreaterThanOrEqualTo(quiet - 1e-9);
            assertThat(s.attackAt(a.startSeconds())).isEqualTo(a);
            assertThat(s.attackAt((a.startSeconds() + a.endSeconds()) / 2)).isEqualTo(a);
            assertThat(s.attackAt(a.endSeconds())).isNull();
        }
        assertThat(s.attackAt(0)).isNull();
    }

    @Test
    void theDefaultsShowAllFiveAttacksWithRetirementInUnderTwoMinutes() {
        DemoOptions d = DemoOptions.defaults();
        assertThat(d.kinds())
                .containsExactlyElementsOf(DemoOptions.DEFAULT_KINDS)
                .contains(FloodKind.SYN_FLOOD_V6);
        assertThat(d.durationSeconds())
                .isLessThanOrEqualTo(120)
                .isGreaterThanOrEqualTo(DemoSchedule.minimumSeconds(d.kinds().size(), d.cooldown()));
        assertThat(d.schedule().attacks()).hasSize(6);
    }

    @Test
    void aDurationTooShortSaysHowLongItMustBe() {
        Duration cooldown = Duration.ofSeconds(5);
        int minimum = DemoSchedule.minimumSeconds(2, cooldown);
        assertThat(minimum).isEqualTo(3 + 2 * (5 + 5 + 3));
        assertThatThrownBy(() -> DemoSchedule.spread(
                        minimum - 1, List.of(FloodKind.SYN_FLOOD, FloodKind.UDP_RANDOM_PORTS), 1000, cooldown))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--duration " + (minimum - 1)
                        + " s is too short for 2 attack(s) with a 5 s cool-down: it must be at least " + minimum
                        + " s");
    }

    @Test
    void overlappingAttacksAreRefusedNamingThem() {
        List<AttackPlan> plans = List.of(
                new AttackPlan(FloodKind.SYN_FLOOD, 3, 10, 1000),
                new AttackPlan(FloodKind.DNS_AMPLIFICATION, 12, 10, 1000));
        assertThatThrownBy(() -> new DemoSchedule(plans, 40))
                .hasMessage("demo schedule: attack 1 (dns-amp) starts at 12.0 s, before attack 0 ends at 13.0 s");
        assertThatThrownBy(() -> new DemoSchedule(plans.subList(0, 1), 12))
                .hasMessage("demo schedule: total 12.0 s ends before the last attack at 13.0 s");
        assertThatThrownBy(() -> new AttackPlan(FloodKind.SYN_FLOOD, 3, 0, 1000))
                .hasMessage("attack plan syn: duration 0.0 s is not positive");
        assertThatThrownBy(() -> new AttackPlan(FloodKind.UDP_RANDOM_PORTS, 3, 1, 0))
                .hasMessage("attack plan udp: rate 0 pps is not positive");
    }

    @Test
    void optionsRefuseBadValuesNamingTheOption() {
        assertThatThrownBy(() -> new DemoOptions(
                        40, List.of(FloodKind.SYN_FLOOD, FloodKind.SYN_FLOOD), 1, 1, 0, Duration.ofSeconds(5), 64))
                .hasMessage("--attacks: a flood is named twice in [syn, syn]");
        assertThatThrownBy(() -> new DemoOptions(40, List.of(), 1, 1, 0, Duration.ofSeconds(5), 64))
                .hasMessage("--attacks: no flood chosen");
        assertThatThrownBy(() -> new DemoOptions(40, List.of(FloodKind.SYN_FLOOD), 0, 1, 0, Duration.ofSeconds(5), 64))
                .hasMessage("--attack-pps must be at least 1, not 0");
        assertThatThrownBy(() -> new DemoOptions(40, List.of(FloodKind.SYN_FLOOD), 1, 1, 0, Duration.ofMillis(500), 64))
                .hasMessage("--cooldown must be at least 1 s, not 500 ms");
        assertThatThrownBy(() -> new DemoOptions(40, List.of(FloodKind.SYN_FLOOD), 1, 1, 0, Duration.ofSeconds(5), -1))
                .hasMessage("--sample-rate must be at least 1 (or 0 for adaptive), not -1");
    }
}
