package org.levee.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.lab.DeliveryCounts;

/** The drop benchmark's table: medians over rounds, each ratio against its own round's floor. */
class DropSummaryTest {
    private static DropBenchmark.Row row(int round, String mechanism, long nanos, long dropped) {
        return new DropBenchmark.Row(round, mechanism, 500_000, dropped, nanos * dropped, new DeliveryCounts(10, 9, 9));
    }

    @Test
    void eachRatioIsTakenAgainstTheFloorOfItsOwnRound() {
        List<DropBenchmark.Row> rows = new ArrayList<>();
        // the machine drifts: round 2 is 10 % slower for everything, round 3 5 % faster
        double[] drift = {1.0, 1.1, 0.95};
        for (int round = 0; round < 3; round++) {
            rows.add(row(round, "floor", Math.round(200 * drift[round]), 1000));
            rows.add(row(round, "levee", Math.round(230 * drift[round]), 1000));
            rows.add(row(round, "nft", Math.round(360 * drift[round] * (round == 2 ? 1.2 : 1)), 1000));
        }
        List<DropBenchmark.Summary> table = DropBenchmark.summarize(rows);
        assertThat(table).extracting(DropBenchmark.Summary::mechanism).containsExactly("floor", "levee", "nft");
        DropBenchmark.Summary floor = table.get(0);
        assertThat(floor.medianRatio()).isEqualTo(1.0);
        assertThat(floor.medianNanos()).isEqualTo(200);
        DropBenchmark.Summary levee = table.get(1);
        assertThat(levee.medianRatio()).isCloseTo(1.15, within(0.005));
        assertThat(levee.minRatio()).isCloseTo(1.15, within(0.005));
        assertThat(levee.maxRatio()).isCloseTo(1.15, within(0.005));
        assertThat(levee.dropped()).isEqualTo(3000);
        assertThat(levee.legitSent()).isEqualTo(30);
        assertThat(levee.legitDelivered()).isEqualTo(27);
        DropBenchmark.Summary nft = table.get(2);
        assertThat(nft.medianRatio()).isCloseTo(1.8, within(0.005));
        assertThat(nft.maxRatio()).isCloseTo(2.16, within(0.005));
        assertThat(nft.rounds()).isEqualTo(3);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwoAndNothingCountedGivesNaN() {
        assertThat(DropBenchmark.median(new double[] {3, 1, 4, 2})).isEqualTo(2.5);
        assertThat(DropBenchmark.median(new double[] {5})).isEqualTo(5);
        assertThat(DropBenchmark.median(new double[] {1, Double.NaN})).isNaN();
        assertThat(DropBenchmark.median(new double[0])).isNaN();
    }

    @Test
    void onlyNamesMechanismsThatExistAndTheFloorIsAlwaysAmongThem() {
        assertThat(DropBenchmark.MECHANISMS)
                .startsWith("floor")
                .contains("levee-100-first", "levee-10000-last", "nft-netdev", "iptables-raw", "closed-port")
                .doesNotHaveDuplicates();
        assertThat(new DropBenchmark.Options(1, 1, 1, 1, java.util.Set.of("levee-100-first")).only())
                .containsExactly("levee-100-first");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new DropBenchmark.Options(1, 1, 1, 1, java.util.Set.of("nft")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no mechanism 'nft'")
                .hasMessageContaining("nft-netdev");
    }
}
