package org.levee.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pointsAreTimeAndRatesInTheOrderOfSeries() throws Exception {
        String text = TrafficJson.write(
                1765000002000L,
                600,
                "this node's \"data plane\"\n",
                List.of(
                        new TrafficPoint(1765000001000L, new TrafficRates(1000, 700, 250, 50, 10)),
                        new TrafficPoint(1765000002000L, new TrafficRates(0.25, 0.04, 1e9, 2.96, 12.34))));
        JsonNode root = JSON.readTree(text);
        assertThat(root.get("now").asLong()).isEqualTo(1765000002000L);
        assertThat(root.get("capacity").asInt()).isEqualTo(600);
        assertThat(root.get("step_seconds").asInt()).isEqualTo(1);
        assertThat(root.get("source").asText()).isEqualTo("this node's \"data plane\"\n");
        assertThat(root.get("series").toString())
                .isEqualTo("[\"seen\",\"passed\",\"dropped\",\"ratelimited\",\"sampled\"]");
        assertThat(root.get("points").toString())
                .isEqualTo("[[1765000001000,1000,700,250,50,10],[1765000002000,0.3,0,1000000000,3,12.3]]");
    }

    @Test
    void emptyHistory() throws Exception {
        JsonNode root = JSON.readTree(TrafficJson.write(5, 600, "x", List.of()));
        assertThat(root.get("points").isArray()).isTrue();
        assertThat(root.get("points")).isEmpty();
    }
}
