package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The delivery log against a naive model: random sends, deliveries, answers and windows. */
class DeliveryLogTest {
    private record Request(long sentAt, boolean delivered, boolean answered) {}

    @ParameterizedTest
    @ValueSource(longs = {11, 22, 33, 44, 55, 66})
    void windowsCountLikeANaiveModel(long seed) {
        Random random = new Random(seed);
        DeliveryLog log = new DeliveryLog();
        List<Request> model = new ArrayList<>();
        long now = random.nextLong(1L << 50) - (1L << 49); // nanoTime may be negative
        int n = 1 + random.nextInt(40_000); // beyond the initial array
        for (int i = 0; i < n; i++) {
            now += random.nextInt(3) == 0 ? 0 : random.nextInt(2_000_000);
            assertThat(log.sent(now)).isEqualTo(i);
            boolean delivered = random.nextInt(10) != 0;
            boolean answered = delivered && random.nextInt(10) != 0;
            if (delivered) {
                assertThat(log.delivered(i)).isTrue();
            }
            if (answered) {
                assertThat(log.answered(i)).isTrue();
            }
            model.add(new Request(now, delivered, answered));
        }
        long first = model.getFirst().sentAt();
        for (int q = 0; q < 200; q++) {
            long from = first - 1000 + random.nextLong(now - first + 2000);
            long to = from + random.nextLong(now - first + 2000);
            long sent = 0;
            long delivered = 0;
            long answered = 0;
            for (Request r : model) {
                if (r.sentAt() >= from && r.sentAt() < to) {
                    sent++;
                    delivered += r.delivered() ? 1 : 0;
                    answered += r.answered() ? 1 : 0;
                }
            }
            assertThat(log.window(from, to))
                    .as("window [%d, %d)", from, to)
                    .isEqualTo(new DeliveryCounts(sent, delivered, answered));
        }
        assertThat(log.total().sent()).isEqualTo(n);
        assertThat(log.unknown()).isZero();
    }

    @Test
    void unknownSequencesAreCountedNotRecorded() {
        DeliveryLog log = new DeliveryLog();
        log.sent(10);
        assertThat(log.delivered(1)).isFalse();
        assertThat(log.delivered(-1)).isFalse();
        assertThat(log.answered(0)).as("answer to an undelivered request").isFalse();
        assertThat(log.unknown()).isEqualTo(3);
        assertThat(log.total()).isEqualTo(new DeliveryCounts(1, 0, 0));
        assertThatThrownBy(() -> log.sent(9)).hasMessageContaining("request 1 sent at 9 before request 0 at 10");
    }

    @Test
    void countsRefuseImpossibleCombinations() {
        assertThatThrownBy(() -> new DeliveryCounts(1, 2, 0)).hasMessageContaining("sent 1, delivered 2");
        assertThat(new DeliveryCounts(200, 150, 100).lossRatio()).isEqualTo(0.25);
        assertThat(new DeliveryCounts(0, 0, 0).lossRatio()).isZero();
    }
}
