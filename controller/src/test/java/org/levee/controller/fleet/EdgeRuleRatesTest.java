package org.levee.controller.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeRuleRatesTest {
    static final long S = 1_000_000_000L;
    static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

    private static EdgeRuleRates.Reported at(int second, long packets) {
        return new EdgeRuleRates.Reported(T.plusSeconds(second), Map.of("r", packets));
    }

    @Test
    void theRateIsTheLastIntervalsPacketsSummedOverEdges() {
        EdgeRuleRates rates = new EdgeRuleRates();
        rates.update(Map.of("ams/a", at(0, 0), "fra/b", at(0, 100)), 10 * S);
        assertThat(rates.packetsPerSecond("r", 0))
                .as("one report each: nothing to tell")
                .isEmpty();

        rates.update(Map.of("ams/a", at(5, 50_000), "fra/b", at(5, 10_100)), 15 * S);

        assertThat(rates.packetsPerSecond("r", 10 * S).orElseThrow()).isEqualTo(12_000);
        assertThat(rates.packetsPerSecond("other", 10 * S).orElseThrow()).isZero();
        assertThat(rates.packetsPerSecond("r", 11 * S))
                .as("no interval that started since")
                .isEmpty();
    }

    @Test
    void theSameReportSeenAgainChangesNothingAndARestartedEdgeStartsAfresh() {
        EdgeRuleRates rates = new EdgeRuleRates();
        rates.update(Map.of("ams/a", at(0, 1000)), 0);
        rates.update(Map.of("ams/a", at(1, 2000)), S);
        rates.update(Map.of("ams/a", at(1, 2000)), 3 * S); // another edge's change: this one's value is the same
        assertThat(rates.packetsPerSecond("r", 0).orElseThrow()).isEqualTo(1000);

        rates.update(Map.of("ams/a", at(2, 10)), 4 * S); // counters went down: restarted
        assertThat(rates.packetsPerSecond("r", 0)).isEmpty();
    }

    @Test
    void anEdgeWhoseRegistrationWentIsForgotten() {
        EdgeRuleRates rates = new EdgeRuleRates();
        rates.update(Map.of("ams/a", at(0, 0)), 0);
        rates.update(Map.of("ams/a", at(1, 5000)), S);
        rates.update(Map.of(), 2 * S);
        assertThat(rates.packetsPerSecond("r", 0)).isEmpty();
    }
}
