package org.levee.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TrafficRecorderTest {

    @Test
    void aPointPerReadingAfterTheFirst() {
        TrafficHistory history = new TrafficHistory();
        AtomicLong seen = new AtomicLong();
        TrafficRecorder recorder =
                TrafficRecorder.ofCounters(history, () -> new TrafficCounts(seen.get(), seen.get(), 0, 0, 0));
        long t0 = System.nanoTime();
        recorder.record(t0);
        assertThat(history.points()).isEmpty();
        seen.set(2500);
        recorder.record(t0 + 1_000_000_000L);
        seen.set(3000);
        recorder.record(t0 + 2_000_000_000L);
        assertThat(history.points()).hasSize(2);
        assertThat(history.points().get(0).rates().seen()).isCloseTo(2500, within(1e-9));
        assertThat(history.points().get(1).rates().seen()).isCloseTo(500, within(1e-9));
        assertThat(history.points().get(1).epochMillis()
                        - history.points().get(0).epochMillis())
                .isEqualTo(1000);
        long wall = System.currentTimeMillis();
        assertThat(history.points().get(0).epochMillis()).isBetween(wall - 60_000, wall + 60_000);
    }

    @Test
    void aSourceThatFailsLeavesAGapAndTheRecorderGoesOn() {
        TrafficHistory history = new TrafficHistory();
        AtomicLong calls = new AtomicLong();
        TrafficRecorder recorder = TrafficRecorder.ofRates(history, () -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("map gone");
            }
            return new TrafficRates(7, 7, 0, 0, 0);
        });
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            recorder.record(t0 + i * 1_000_000_000L);
        }
        assertThat(history.points())
                .extracting(p -> p.epochMillis() - history.points().getFirst().epochMillis())
                .containsExactly(0L, 2000L);
    }

    @Test
    void startedItRecordsEverySecond() throws InterruptedException {
        TrafficHistory history = new TrafficHistory();
        try (TrafficRecorder recorder = TrafficRecorder.ofRates(history, () -> new TrafficRates(1, 1, 0, 0, 0))
                .start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (history.points().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        assertThat(history.points()).hasSizeGreaterThanOrEqualTo(2);
        long gap =
                history.points().get(1).epochMillis() - history.points().get(0).epochMillis();
        assertThat(gap).isBetween(900L, 1500L);
    }
}
