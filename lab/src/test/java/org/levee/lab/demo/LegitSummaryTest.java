package org.levee.lab.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.lab.DeliveryLog;

class LegitSummaryTest {
    private static final long SECOND = 1_000_000_000L;

    static Stream<Long> seeds() {
        return LongStream.range(1, 101).boxed();
    }

    /**
     * Random detection windows, heavy loss inside them and light loss outside: the summary's
     * counts outside the windows equal a request-by-request count.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void lossOutsideDetectionCountsExactlyTheRequestsSentOutsideEveryWindow(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long start = r.nextLong(1L << 40);
        long end = start + (20 + r.nextInt(100)) * SECOND;
        List<LegitSummary.Window> windows = new ArrayList<>();
        long t = start + r.nextLong(5 * SECOND);
        while (t < end) {
            long to = t + r.nextLong(2 * SECOND);
            windows.add(new LegitSummary.Window(t, to));
            t = to + 1 + r.nextLong(15 * SECOND);
        }
        double inside = r.nextDouble();
        double outside = r.nextDouble() * 0.01;
        SyntheticLegit legit = new SyntheticLegit(
                r,
                start,
                end,
                1000 + r.nextInt(20_000),
                nanos -> windows.stream().anyMatch(w -> nanos >= w.fromNanos() && nanos < w.toNanos())
                        ? inside
                        : outside);

        LegitSummary summary = LegitSummary.of(LegitLedger.of(legit.log), windows);

        long[] all = legit.sentAndLost(Long.MIN_VALUE, Long.MAX_VALUE);
        long insideSent = 0;
        long insideLost = 0;
        for (LegitSummary.Window w : windows) {
            long[] in = legit.sentAndLost(w.fromNanos(), w.toNanos());
            insideSent += in[0];
            insideLost += in[1];
        }
        assertThat(summary.total().sent()).isEqualTo(all[0]);
        assertThat(summary.total().lost()).isEqualTo(all[1]);
        assertThat(summary.outsideDetection().sent()).isEqualTo(all[0] - insideSent);
        assertThat(summary.outsideDetection().lost()).isEqualTo(all[1] - insideLost);
        assertThat(summary.lostPct()).isCloseTo(100.0 * all[1] / all[0], org.assertj.core.data.Offset.offset(1e-9));
        if (all[0] > insideSent) {
            assertThat(summary.lostPctOutsideDetection())
                    .isCloseTo(
                            100.0 * (all[1] - insideLost) / (all[0] - insideSent),
                            org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void withoutRequestsNothingIsLost() {
        LegitSummary summary =
                LegitSummary.of(LegitLedger.of(new DeliveryLog()), List.of(new LegitSummary.Window(0, 5)));
        assertThat(summary.lostPct()).isZero();
        assertThat(summary.lostPctOutsideDetection()).isZero();
    }

    @Test
    void overlappingOrBackwardWindowsAreRefused() {
        assertThatThrownBy(() -> LegitSummary.of(
                        LegitLedger.of(new DeliveryLog()),
                        List.of(new LegitSummary.Window(10, 20), new LegitSummary.Window(5, 11))))
                .hasMessage("detection windows 0 and 1 overlap");
        assertThatThrownBy(() -> new LegitSummary.Window(10, 9))
                .hasMessage("window ends at 9 ns before it starts at 10 ns");
    }
}
