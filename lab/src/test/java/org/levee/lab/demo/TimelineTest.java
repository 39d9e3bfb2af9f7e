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
import org.levee.lab.DeliveryLog;
import org.levee.lab.FloodKind;

class TimelineTest {
    private static final long SECOND = 1_000_000_000L;

    static Stream<Long> seeds() {
        return LongStream.range(1, 101).boxed();
    }

    /**
     * Cumulative counters growing by random amounts each second (with jittered tick times): the
     * rows give back the amounts, the legitimate requests of each second, the scheduled attack
     * and the rules, and their sums equal the totals.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void rowsAreTheDifferencesOfConsecutiveTicks(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DemoSchedule schedule = DemoSchedule.spread(
                40, List.of(FloodKind.SYN_FLOOD, FloodKind.MEMCACHED_AMPLIFICATION), 1000, Duration.ofSeconds(5));
        long start = r.nextLong(1L << 40);
        SyntheticLegit legit = new SyntheticLegit(r, start, start + 40 * SECOND, 4000, nanos -> 0.01);
        List<Tick> ticks = new ArrayList<>();
        List<long[]> increments = new ArrayList<>();
        long offered = 0;
        long seen = 0;
        long dropped = 0;
        long passed = 0;
        ticks.add(new Tick(start, 0, 0, 0, 0, 0, 0, 0, List.of()));
        for (int s = 1; s <= 40; s++) {
            long[] inc = {r.nextLong(1_000_000), r.nextLong(1_000_000), r.nextLong(1_000_000), r.nextLong(5000)};
            increments.add(inc);
            offered += inc[0];
            seen += inc[1];
            dropped += inc[2];
            passed += inc[3];
            long jitter = r.nextLong(20_000_000);
            List<String> rules = s % 7 == 0 ? List.of("auto-x-" + s) : List.of();
            ticks.add(new Tick(start + s * SECOND + jitter, offered, seen, dropped, passed, s, 0, s, rules));
        }

        List<Second> rows = Timeline.rows(start, ticks, LegitLedger.of(legit.log), schedule);

        assertThat(rows).hasSize(40);
        for (int i = 0; i < rows.size(); i++) {
            Second row = rows.get(i);
            long[] inc = increments.get(i);
            assertThat(row.second()).isEqualTo(i + 1);
            assertThat(row.attackOffered()).isEqualTo(inc[0]);
            assertThat(row.edgeSeen()).isEqualTo(inc[1]);
            assertThat(row.dropped()).isEqualTo(inc[2]);
            assertThat(row.passed()).isEqualTo(inc[3]);
            assertThat(row.sampled()).isEqualTo(1);
            long[] truth =
                    legit.sentAndLost(ticks.get(i).nanos(), ticks.get(i + 1).nanos());
            assertThat(row.legitSent()).isEqualTo(truth[0]);
            assertThat(row.legitLost()).isEqualTo(truth[1]);
            assertThat(row.rules()).isEqualTo(ticks.get(i + 1).rules());
            AttackPlan scheduled = schedule.attackAt(i + 0.5);
            assertThat(row.attack())
                    .isEqualTo(scheduled == null ? "" : scheduled.kind().id());
        }
        assertThat(rows.stream().mapToLong(Second::attackOffered).sum()).isEqualTo(offered);
        assertThat(rows.stream().mapToLong(Second::legitSent).sum())
                .isEqualTo(legit.sentAndLost(start, ticks.getLast().nanos())[0]);
    }

    @Test
    void aCounterThatWentBackCountsAsNoChange() {
        DemoSchedule schedule =
                DemoSchedule.spread(20, List.of(FloodKind.UDP_RANDOM_PORTS), 1000, Duration.ofSeconds(5));
        Tick before = new Tick(0, 500, 500, 400, 100, 0, 0, 0, List.of());
        Tick after = new Tick(SECOND, 800, 10, 5, 5, 0, 0, 0, List.of());
        Second row = Timeline.row(0, before, after, LegitLedger.of(new DeliveryLog()), schedule);
        assertThat(row.attackOffered()).isEqualTo(300);
        assertThat(row.edgeSeen()).isZero();
        assertThat(row.dropped()).isZero();
        assertThat(row.passed()).isZero();
    }

    @Test
    void ticksOutOfOrderAndNegativeCountersAreRefused() {
        DemoSchedule schedule =
                DemoSchedule.spread(20, List.of(FloodKind.UDP_RANDOM_PORTS), 1000, Duration.ofSeconds(5));
        Tick later = new Tick(2 * SECOND, 0, 0, 0, 0, 0, 0, 0, List.of());
        Tick earlier = new Tick(SECOND, 0, 0, 0, 0, 0, 0, 0, List.of());
        assertThatThrownBy(() -> Timeline.row(0, later, earlier, LegitLedger.of(new DeliveryLog()), schedule))
                .hasMessage("tick at 1000000000 ns is earlier than the one before, at 2000000000 ns");
        assertThatThrownBy(() -> new Tick(5, 0, -1, 0, 0, 0, 0, 0, List.of()))
                .hasMessage("tick at 5: negative counter (offered 0, seen -1, dropped 0, passed 0)");
    }
}
