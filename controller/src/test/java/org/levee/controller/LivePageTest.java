package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.levee.controller.testing.Fleet;
import org.levee.controller.testing.Http;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/** The live page's routes on the controller: {@code GET /} and the edges' traffic, summed, on {@code GET /traffic}. */
class LivePageTest {

    private static void report(Fleet fleet, String datacenter, String node, Instant reported, long seen, long dropped) {
        ObjectNode counters = JsonNodeFactory.instance.objectNode();
        counters.put("seen", seen)
                .put("passed", seen - dropped)
                .put("dropped", dropped)
                .put("ratelimited", 0)
                .put("sampled", seen / 1000)
                .put("samples_lost", 0);
        Registration r = new Registration(
                node,
                datacenter,
                Optional.of("192.0.2.1"),
                Optional.of("eth0"),
                0,
                0,
                Optional.empty(),
                Optional.of(reported),
                counters);
        fleet.client().put(Fleet.KEYS.node(datacenter, node), RegistrationJson.encode(r));
    }

    @Test
    void theTrafficIsTheEdgesReportsSummedAndThePageIsReadOnly() throws InterruptedException {
        Requirements.library("libpcap.so.0.8");
        try (Fleet fleet = new Fleet()) {
            Controller c = fleet.start(Fleet.config("ctl-web"));
            // Two reports a second apart by the edges' stamps: ams1 saw 20000 packets (5000 dropped), fra1 10000.
            Instant t0 = Instant.now();
            report(fleet, "ams1", "edge-1", t0, 0, 0);
            report(fleet, "fra1", "edge-2", t0, 0, 0);
            Thread.sleep(300);
            report(fleet, "ams1", "edge-1", t0.plusSeconds(1), 20_000, 5_000);
            report(fleet, "fra1", "edge-2", t0.plusSeconds(1), 10_000, 0);
            // The rates are over the edges' own time between the reports, however late etcd delivered them.
            Eventually.await(Duration.ofSeconds(10), "a point with both edges' traffic", () -> {
                JsonNode points = Http.to(c.apiAddress()).get("/traffic").json().get("points");
                return !points.isEmpty() && points.get(points.size() - 1).get(1).asDouble() == 30_000;
            });
            JsonNode traffic = Http.to(c.apiAddress()).get("/traffic").json();
            assertThat(traffic.get("source").asText()).isEqualTo("the edges' reports, summed");
            JsonNode last = traffic.get("points").get(traffic.get("points").size() - 1);
            assertThat(last.toString()).endsWith(",30000,25000,5000,0,30]");

            Http.Answer page = Http.to(c.apiAddress()).get("/");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.text()).startsWith("<!DOCTYPE html>");
            assertThat(Http.to(c.apiAddress(), fleet.stateDir("ctl-web"))
                            .post("/", "{}")
                            .status())
                    .isEqualTo(405);
            assertThat(Http.to(c.apiAddress(), fleet.stateDir("ctl-web"))
                            .delete("/traffic")
                            .status())
                    .isEqualTo(405);
        }
    }
}
