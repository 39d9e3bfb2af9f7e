package org.levee.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CounterRatesTest {

    @Test
    void ratesAreIncreasesOverTheTimeBetweenReadings() {
        CounterRates rates = new CounterRates();
        assertThat(rates.next(new TrafficCounts(100, 80, 10, 5, 1), 1_000_000_000L))
                .isEmpty();
        TrafficRates r = rates.next(new TrafficCounts(1100, 580, 410, 105, 21), 3_000_000_000L)
                .orElseThrow();
        assertThat(r.seen()).isCloseTo(500, within(1e-9));
        assertThat(r.passed()).isCloseTo(250, within(1e-9));
        assertThat(r.dropped()).isCloseTo(200, within(1e-9));
        assertThat(r.ratelimited()).isCloseTo(50, within(1e-9));
        assertThat(r.sampled()).isCloseTo(10, within(1e-9));
    }

    @Test
    void aCounterThatWentDownStartedAgain() {
        CounterRates rates = new CounterRates();
        rates.next(new TrafficCounts(1000, 1000, 0, 0, 0), 0);
        TrafficRates r =
                rates.next(new TrafficCounts(30, 20, 0, 0, 0), 500_000_000L).orElseThrow();
        assertThat(r.seen()).isCloseTo(60, within(1e-9));
        assertThat(r.passed()).isCloseTo(40, within(1e-9));
    }

    @Test
    void noTimeNoRate() {
        CounterRates rates = new CounterRates();
        rates.next(new TrafficCounts(1, 1, 0, 0, 0), 5);
        assertThat(rates.next(new TrafficCounts(9, 9, 0, 0, 0), 5)).isEmpty();
        // The reading without time is ignored: the next rate is from the first one.
        assertThat(rates.next(new TrafficCounts(11, 11, 0, 0, 0), 1_000_000_005L)
                        .orElseThrow()
                        .seen())
                .isCloseTo(10, within(1e-9));
    }
}
