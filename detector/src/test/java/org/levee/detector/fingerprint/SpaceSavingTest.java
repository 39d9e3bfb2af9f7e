package org.levee.detector.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SpaceSavingTest {

    static LongStream seeds() {
        return LongStream.range(1, 31);
    }

    /** Against exact counts: bounds hold, and every value above n / capacity is held. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void guaranteedCountsBoundTheTruthAndHeavyHittersAreKept(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int capacity = 4 + r.nextInt(20);
        SpaceSaving<Integer> sketch = new SpaceSaving<>(capacity);
        Map<Integer, Long> exact = new HashMap<>();
        int n = 1 + r.nextInt(5000);
        int heavy = r.nextInt(1000);
        double heavyShare = r.nextDouble();
        for (int i = 0; i < n; i++) {
            int value = r.nextDouble() < heavyShare ? heavy : r.nextInt(1 + r.nextInt(5000));
            sketch.offer(value);
            exact.merge(value, 1L, Long::sum);
        }
        SpaceSaving.Entry<Integer> top = sketch.top();
        assertThat(top.guaranteed()).isLessThanOrEqualTo(exact.get(top.value()));
        assertThat(top.count()).isGreaterThanOrEqualTo(exact.get(top.value()));
        long truthOfTop =
                exact.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        if (truthOfTop > n / capacity + 1) {
            // The most frequent value is held, and its count is over-estimated by at most n / capacity.
            assertThat(exact.get(top.value())).isGreaterThanOrEqualTo(truthOfTop - n / capacity);
        }
        assertThat(sketch.size()).isLessThanOrEqualTo(capacity);
    }
}
