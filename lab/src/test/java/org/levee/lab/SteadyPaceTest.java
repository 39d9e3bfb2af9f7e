package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The legitimate senders' schedule. Bounds are one-sided where a starved CPU could only lower a
 * count: the schedule must never take more turns than its rate allows.
 */
class SteadyPaceTest {

    /** Turns taken within {@code millis} from now. */
    private static int turnsWithin(SteadyPace pace, long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        int turns = 0;
        while (System.nanoTime() < end) {
            if (pace.turn()) {
                turns++;
            }
        }
        return turns;
    }

    @ParameterizedTest(name = "{0} per second")
    @ValueSource(longs = {100, 1000, 5000})
    void neverTakesMoreTurnsThanTheRate(long perSecond) {
        int turns = turnsWithin(new SteadyPace(perSecond), 200);
        long allowed = perSecond / 5 + 1; // the first turn is due at once
        assertThat(turns).isLessThanOrEqualTo((int) allowed).isGreaterThan((int) (allowed / 10));
    }

    @Test
    void fallingFarBehindSkipsAheadInsteadOfBursting() throws InterruptedException {
        SteadyPace pace = new SteadyPace(1000);
        Thread.sleep(SteadyPace.MAX_LAG_MILLIS * 3);
        // 300 turns are overdue; a burst would take them all at once
        assertThat(turnsWithin(pace, 20)).isBetween(1, 21);
    }

    @Test
    void aRateMustBePositive() {
        assertThatThrownBy(() -> new SteadyPace(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pace must be positive, got 0 per second");
    }
}
