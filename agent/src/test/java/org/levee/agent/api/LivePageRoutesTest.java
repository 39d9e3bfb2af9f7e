package org.levee.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.testing.Http;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.dataplane.Counters;
import org.levee.testing.Requirements;

/** The live page's routes on the node's API: {@code GET /} and {@code GET /traffic}, read-only. */
class LivePageRoutesTest {

    @TempDir
    Path state;

    private RecordingDataPlane dataPlane;
    private Agent agent;
    private Http http;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        dataPlane = new RecordingDataPlane();
        agent = Agent.start(TestAgents.config(state, "ams1"), dataPlane);
        http = new Http(agent.apiAddress(), state);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void thePageIsServedWithAPolicyThatAllowsOnlyItsOwnScriptAndStyle() throws IOException {
        HttpURLConnection c = (HttpURLConnection)
                URI.create("http://127.0.0.1:" + agent.apiAddress().getPort() + "/")
                        .toURL()
                        .openConnection();
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(c.getContentType()).isEqualTo("text/html; charset=utf-8");
        String policy = c.getHeaderField("Content-Security-Policy");
        assertThat(policy)
                .startsWith("default-src 'none'; script-src 'sha256-")
                .contains("connect-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(c.getHeaderField("X-Frame-Options")).isEqualTo("DENY");
        String html = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>Levee</title>");
        c.disconnect();
    }

    @Test
    void theTrafficHistoryIsTheDataPlanesRatesOneASecond() throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(10).toNanos();
        JsonNode traffic;
        do {
            // 1000 packets a second seen, 600 passed, 300 dropped, 100 rate-limited, 10 sampled.
            long seen = (System.nanoTime() - t0) / 1_000_000;
            dataPlane.setCounters(new Counters(seen, seen * 6 / 10, seen * 3 / 10, seen / 10, seen / 100, 0, Map.of()));
            Thread.sleep(20);
            traffic = http.get("/traffic").json();
        } while (traffic.get("points").size() < 3 && System.nanoTime() < deadline);
        assertThat(traffic.get("source").asText()).isEqualTo("this node's XDP program");
        assertThat(traffic.get("capacity").asInt()).isEqualTo(600);
        JsonNode points = traffic.get("points");
        assertThat(points.size()).isGreaterThanOrEqualTo(3);
        // The counters are updated every 20 ms or so: a second's rate is near 1000 (within 30 %: on a
        // loaded machine this thread or the recorder's may run late); the shares are exact.
        JsonNode last = points.get(points.size() - 1);
        assertThat(last.get(1).asDouble()).isBetween(700.0, 1300.0);
        assertThat(last.get(2).asDouble() / last.get(1).asDouble()).isBetween(0.55, 0.65);
        assertThat(last.get(3).asDouble() / last.get(1).asDouble()).isBetween(0.25, 0.35);
        assertThat(last.get(4).asDouble() / last.get(1).asDouble()).isBetween(0.07, 0.13);
        long newest = last.get(0).asLong();
        assertThat(Math.abs(newest - System.currentTimeMillis())).isLessThan(5_000);
        long before = points.get(points.size() - 2).get(0).asLong();
        JsonNode since = http.get("/traffic?since=" + before).json().get("points");
        assertThat(since.get(0).get(0).asLong()).isEqualTo(newest);
    }

    @Test
    void thePageAndItsDataAreReadOnlyAndBadQueriesAreNamed() {
        assertThat(http.post("/", "{}").status()).isEqualTo(405);
        assertThat(http.delete("/traffic").status()).isEqualTo(405);
        Http.Response bad = http.get("/traffic?since=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText())
                .isEqualTo("since: 'yesterday' is not a time in milliseconds since the epoch");
        assertThat(http.get("/traffic?from=1").json().get("error").asText())
                .isEqualTo("query: unknown parameter 'from' (known: since)");
        assertThat(http.get("/nope").json().get("error").asText()).contains("routes: /, /traffic, /rules");
    }
}
