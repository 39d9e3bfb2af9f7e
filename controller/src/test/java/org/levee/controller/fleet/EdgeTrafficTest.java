package org.levee.controller.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.levee.web.TrafficCounts;

class EdgeTrafficTest {
    private static final long S = 1_000_000_000L;

    private static EdgeTraffic.Reported at(long second, long seen, long dropped) {
        return new EdgeTraffic.Reported(
                Instant.ofEpochSecond(1765000000 + second),
                new TrafficCounts(seen, seen - dropped, dropped, 0, seen / 100));
    }

    @Test
    void sumsEachEdgesRateBetweenItsLastTwoReports() {
        EdgeTraffic t = new EdgeTraffic();
        t.update(Map.of("ams1/a", at(0, 0, 0), "fra1/b", at(0, 1000, 0)), 0);
        assertThat(t.now(0).seen()).isZero();
        // a: 5000 packets in 5 s (1000/s, 400/s dropped); b: 10000 in 5 s.
        t.update(Map.of("ams1/a", at(5, 5000, 2000), "fra1/b", at(5, 11000, 0)), 5 * S);
        assertThat(t.now(6 * S).seen()).isCloseTo(3000, within(1e-6));
        assertThat(t.now(6 * S).dropped()).isCloseTo(400, within(1e-6));
        assertThat(t.now(6 * S).sampled()).isCloseTo(30, within(1e-6));
        // The same report read again (another node's change fired the watch) changes nothing.
        t.update(Map.of("ams1/a", at(5, 5000, 2000), "fra1/b", at(5, 11000, 0)), 7 * S);
        assertThat(t.now(7 * S).seen()).isCloseTo(3000, within(1e-6));
    }

    @Test
    void theIntervalIsTheEdgesOwnNotHowLateEtcdDelivered() {
        EdgeTraffic t = new EdgeTraffic();
        t.update(Map.of("ams1/a", at(0, 0, 0)), 3 * S);
        // Stamped 5 s apart, received 1 s apart: 1000/s, not 5000/s.
        t.update(Map.of("ams1/a", at(5, 5000, 0)), 4 * S);
        assertThat(t.now(4 * S).seen()).isCloseTo(1000, within(1e-6));
    }

    @Test
    void anEdgeThatWentOrFellSilentCountsNoMore() {
        EdgeTraffic t = new EdgeTraffic();
        t.update(Map.of("ams1/a", at(0, 0, 0), "fra1/b", at(0, 0, 0)), 0);
        t.update(Map.of("ams1/a", at(5, 5000, 0), "fra1/b", at(5, 5000, 0)), 5 * S);
        t.update(Map.of("ams1/a", at(5, 5000, 0)), 6 * S);
        assertThat(t.edges()).isEqualTo(1);
        assertThat(t.now(6 * S).seen()).isCloseTo(1000, within(1e-6));
        // Last report at 5 s, interval 5 s: it speaks until 5 + 2×5 + 1 = 16 s.
        assertThat(t.now(16 * S).seen()).isCloseTo(1000, within(1e-6));
        assertThat(t.now(16 * S + 1).seen()).isZero();
    }

    @Test
    void anEdgeThatRestartedStartsAfresh() {
        EdgeTraffic t = new EdgeTraffic();
        t.update(Map.of("ams1/a", at(0, 0, 0)), 0);
        t.update(Map.of("ams1/a", at(5, 50_000, 0)), 5 * S);
        // Restarted at 5 s: 300 packets in the second to its report at 6 s.
        t.update(Map.of("ams1/a", at(6, 300, 0)), 6 * S);
        assertThat(t.now(6 * S).seen()).isCloseTo(300, within(1e-6));
        // Its clock set back: nothing until two reports on the new clock.
        t.update(Map.of("ams1/a", at(2, 900, 0)), 7 * S);
        assertThat(t.now(7 * S).seen()).isCloseTo(300, within(1e-6));
        t.update(Map.of("ams1/a", at(4, 1900, 0)), 9 * S);
        assertThat(t.now(9 * S).seen()).isCloseTo(500, within(1e-6));
    }
}
