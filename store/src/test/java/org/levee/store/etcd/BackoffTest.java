package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysDoubleWithinTheirJitterUpToTheCapAndStartOverAfterAReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        long[] bases = {100, 200, 400, 800, 1600, 2000, 2000, 2000};
        for (long base : bases) {
            assertThat(backoff.next().toMillis()).isBetween(base * 8 / 10, base * 12 / 10);
        }
        assertThat(backoff.failures()).isEqualTo(bases.length);
        for (int i = 0; i < 100; i++) {
            backoff.next(); // far past 2^30: no overflow
        }
        assertThat(backoff.next().toMillis()).isBetween(1600L, 2400L);
        backoff.reset();
        assertThat(backoff.next().toMillis()).isBetween(80L, 120L);
    }
}
