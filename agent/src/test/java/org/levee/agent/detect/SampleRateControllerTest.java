package org.levee.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.agent.config.Sampling;

class SampleRateControllerTest {

    static LongStream seeds() {
        return LongStream.range(0, 100).map(i -> 0x5a3e_0000L + i);
    }

    /** After a change, samples per second are at most the target, and above target × (N − 1) / N (N rounds up). */
    @ParameterizedTest
    @MethodSource("seeds")
    void theChosenRateKeepsSamplesNearTheTarget(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long target = random.nextLong(100, 10_000);
        SampleRateController c = new SampleRateController(new Sampling(target, 0, 1 << 20));
        double pps = Math.exp(random.nextDouble(Math.log(10), Math.log(50e6)));
        int current = random.nextInt(1, 100_000);
        int next = c.next(current, pps);
        assertThat(next).isBetween(1, 1 << 20);
        double samples = pps / next;
        if (next != current) {
            if (next > 1) {
                assertThat(samples).isBetween(target * (next - 1.0) / next - 1e-6, target * (1 + 1e-9));
            } else {
                assertThat(pps).isLessThanOrEqualTo(target * 1.25 + 1);
            }
        } else {
            // Kept: the ideal N is within a quarter of the current one.
            assertThat(Math.abs(Math.ceil(pps / target) - current)).isLessThanOrEqualTo(current / 4.0 + 1);
        }
    }

    @Test
    void aFixedRateNeverChanges() {
        SampleRateController c = new SampleRateController(Sampling.fixed(64));
        assertThat(c.next(64, 1e9)).isEqualTo(64);
        assertThat(c.next(64, 0)).isEqualTo(64);
    }

    @Test
    void theMaximumCapsN() {
        SampleRateController c = new SampleRateController(new Sampling(1, 0, 1000));
        assertThat(c.next(1, 1e9)).isEqualTo(1000);
        assertThat(c.next(1000, 0)).isEqualTo(1);
    }

    @org.junit.jupiter.api.Test
    void aFloodStartingRaisesNAtOnceButAQuietSpellWaitsForTheRegularDecision() {
        SampleRateController c = new SampleRateController(new Sampling(2000, 0, 1 << 20));
        assertThat(c.quickRaise(1, 1_000_000)).as("a 1 Mpps flood at N = 1").isEqualTo(500);
        assertThat(c.quickRaise(1, 7_000)).as("3.5 times the target: no hurry").isEqualTo(1);
        assertThat(c.quickRaise(500, 10_000)).as("never lowers").isEqualTo(500);
        assertThat(new SampleRateController(Sampling.fixed(64)).quickRaise(64, 1_000_000))
                .isEqualTo(64);
    }
}
