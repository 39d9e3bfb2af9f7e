package org.levee.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrafficHistoryTest {

    private static TrafficPoint point(long millis, double seen) {
        return new TrafficPoint(millis, new TrafficRates(seen, seen, 0, 0, 0));
    }

    @Test
    void keepsTheNewestPointsOldestFirst() {
        TrafficHistory h = new TrafficHistory(3);
        assertThat(h.points()).isEmpty();
        for (long t = 1; t <= 5; t++) {
            h.add(point(t * 1000, t));
        }
        assertThat(h.points()).extracting(TrafficPoint::epochMillis).containsExactly(3000L, 4000L, 5000L);
        assertThat(h.since(3000)).extracting(TrafficPoint::epochMillis).containsExactly(4000L, 5000L);
        assertThat(h.since(5000)).isEmpty();
    }

    @Test
    void refusesAPointThatIsNotLater() {
        TrafficHistory h = new TrafficHistory(4);
        h.add(point(2000, 1));
        assertThatThrownBy(() -> h.add(point(2000, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epochMillis: 2000 is not later than the newest point's 2000");
        assertThatThrownBy(() -> new TrafficHistory(1)).hasMessage("capacity: at least 2 points, not 1");
    }

    /** Against the obvious model (a list that forgets its head), for random capacities, times and queries. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1765000000})
    void agreesWithAListThatForgetsItsOldest(long seed) {
        Random random = new Random(seed);
        int capacity = 2 + random.nextInt(20);
        TrafficHistory h = new TrafficHistory(capacity);
        List<TrafficPoint> model = new ArrayList<>();
        long t = random.nextLong(1_000_000);
        for (int i = 0; i < 200; i++) {
            t += 1 + random.nextInt(3000);
            TrafficPoint p = point(t, random.nextInt(1000));
            h.add(p);
            model.add(p);
            if (model.size() > capacity) {
                model.removeFirst();
            }
            long since = model.getFirst().epochMillis()
                    - 10
                    + random.nextLong(t - model.getFirst().epochMillis() + 20);
            assertThat(h.since(since))
                    .isEqualTo(
                            model.stream().filter(m -> m.epochMillis() > since).toList());
            assertThat(h.points()).isEqualTo(model);
        }
    }
}
