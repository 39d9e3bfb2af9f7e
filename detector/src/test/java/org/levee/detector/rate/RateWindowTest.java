package org.levee.detector.rate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.detector.sample.TrafficClass;

class RateWindowTest {

    static LongStream seeds() {
        return LongStream.range(1, 21);
    }

    /** A steady rate reads as that rate at any moment, for any window length. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aSteadyRateIsEstimatedExactly(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int seconds = 1 + r.nextInt(5);
        int perSecond = 10 * (1 + r.nextInt(100));
        RateWindow w = new RateWindow(seconds);
        long step = 1_000_000_000L / perSecond;
        long end = (seconds + 3 + r.nextInt(5)) * 1_000_000_000L;
        for (long t = 0; t < end; t += step) {
            w.advanceTo(RateWindow.bucketOf(t));
            w.add(TrafficClass.UDP, 1000, 8000);
        }
        long now = end - step / 2;
        assertThat(w.packetsPerSecond(TrafficClass.UDP, now))
                .isCloseTo(perSecond * 1000.0, within(perSecond * 1000.0 * 0.02 + 1000));
        assertThat(w.bitsPerSecond(TrafficClass.UDP, now))
                .isCloseTo(perSecond * 8000.0, within(perSecond * 8000.0 * 0.02 + 8000));
        assertThat(w.packetsPerSecond(TrafficClass.TCP_SYN, now)).isZero();
    }

    @Test
    void silenceLongerThanTheWindowReadsAsZero() {
        RateWindow w = new RateWindow(2);
        w.advanceTo(10);
        w.add(TrafficClass.ICMP, 500, 0);
        assertThat(w.packetsPerSecond(TrafficClass.ICMP, 10_500_000_000L)).isEqualTo(250.0);
        assertThat(w.advanceTo(15)).isEqualTo(5);
        assertThat(w.packetsPerSecond(TrafficClass.ICMP, 15_000_000_000L)).isZero();
        assertThat(w.packetsIn(10, TrafficClass.ICMP)).isZero();
    }

    @Test
    void aWindowHasAtLeastOneSecond() {
        assertThatThrownBy(() -> new RateWindow(0)).hasMessageContaining("window seconds must be at least 1, not 0");
    }

    @Test
    void theBaselineIsAMeanAtFirstThenForgetsWithItsHalfLife() {
        Baseline b = new Baseline(10);
        long[] counts = new long[TrafficClass.count()];
        for (int i = 0; i < 10; i++) {
            counts[TrafficClass.UDP.ordinal()] = i % 2 == 0 ? 100 : 300;
            b.learn(counts);
        }
        assertThat(b.packetsPerSecond(TrafficClass.UDP)).isCloseTo(200, within(1e-9));
        counts[TrafficClass.UDP.ordinal()] = 1200;
        for (int i = 0; i < 10; i++) {
            b.learn(counts);
        }
        // Ten seconds is one half-life past the warm-up: half way from 200 to 1200.
        assertThat(b.packetsPerSecond(TrafficClass.UDP)).isCloseTo(700, within(60.0));
        assertThat(b.learnedSeconds()).isEqualTo(20);
    }
}
