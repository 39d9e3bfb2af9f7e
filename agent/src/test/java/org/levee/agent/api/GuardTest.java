package org.levee.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.testing.Frames;
import org.levee.agent.testing.Http;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.rules.GuardSettings;
import org.levee.rules.ProtectedEndpoint;
import org.levee.rules.Rule;
import org.levee.testing.Requirements;

/**
 * The rule guard on a single node, through its HTTP API: manual rules refused with the reason,
 * or forced; automatic rules never forced, the refusal visible in the attack's evidence and the
 * metrics.
 */
class GuardTest {

    @TempDir
    Path state;

    private static final byte[] VICTIM = Frames.ip(203, 0, 113, 10);

    private RecordingDataPlane dataPlane;
    private Agent agent;
    private Http http;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        dataPlane = new RecordingDataPlane();
        AgentConfig config = TestAgents.config(state, "ams1")
                .withGuard(new GuardSettings(List.of(ProtectedEndpoint.parse("tcp 192.0.2.10:443")), true, 0.01))
                .withDetector(TestAgents.detector(200, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        agent = Agent.start(config, dataPlane);
        http = new Http(agent.apiAddress(), state);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private List<String> applied() {
        return dataPlane.current().rules().stream().map(Rule::id).toList();
    }

    @Test
    void aManualRuleCuttingOffSshIsRefusedUnlessForced() {
        Http.Response refused =
                http.post("/rules", "{\"id\": \"no-ssh\", \"filter\": \"tcp dst port 22\", \"action\": \"drop\"}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText())
                .startsWith("refused: it matches traffic to the protected endpoint tcp *:22 (ssh): ")
                .contains("e.g. TCP SYN 23.11.2.3:1025 → 203.0.113.10:22, TTL 57")
                .endsWith("; if that is what you want, add it with force (levee rules add --force, or \"force\": true"
                        + " in the API's body)");
        assertThat(applied()).isEmpty();
        assertThat(http.get("/rules/no-ssh").status()).isEqualTo(404);

        Http.Response forced = http.post(
                "/rules",
                "{\"id\": \"no-ssh\", \"filter\": \"tcp dst port 22\", \"action\": \"drop\"," + " \"force\": true}");
        assertThat(forced.status()).as(forced.body()).isEqualTo(201);
        assertThat(forced.json().has("force"))
                .as("force is not part of the rule")
                .isFalse();
        assertThat(applied()).containsExactly("no-ssh");

        // One spoofed source to port 22 is not a cut-off; nor is a pass rule.
        assertThat(http.post(
                                "/rules",
                                "{\"id\": \"one-source\", \"filter\": \"src host 198.51.100.7 and tcp dst port 22\","
                                        + " \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        assertThat(http.post("/rules", "{\"id\": \"let-ssh\", \"filter\": \"tcp dst port 22\", \"action\": \"pass\"}")
                        .status())
                .isEqualTo(201);
        assertThat(http.post("/rules", "{\"filter\": \"tcp\", \"action\": \"drop\", \"force\": \"please\"}")
                        .json()
                        .get("error")
                        .asText())
                .isEqualTo("force: must be true or false, not \"please\"");
    }

    @Test
    void aConfiguredEndpointIsNamedAndItsHostIsFoundThroughTheRulesDestinations() {
        Http.Response refused = http.post(
                "/rules",
                "{\"id\": \"https\", \"filter\": \"tcp dst port 443\","
                        + " \"destinations\": [\"192.0.2.0/24\"], \"action\": \"ratelimit\", \"pps\": 10, \"burst\": 10}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText())
                .startsWith("refused: it matches traffic to the protected endpoint tcp 192.0.2.10:443 (configured)")
                .contains("→ 192.0.2.10:443");
        assertThat(http.post(
                                "/rules",
                                "{\"id\": \"https\", \"filter\": \"tcp dst port 443\","
                                        + " \"destinations\": [\"192.0.2.128/25\"], \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
    }

    @Test
    void aManualRuleMatchingMoreThanTheShareOfLegitimateTrafficIsRefusedWithTheShare() throws Exception {
        // 400 legitimate samples, 25 ms apart from now on (the detector takes each at its own time):
        // 380 to a web server, 20 to a DNS server: 5 % of the traffic is UDP.
        long start = System.nanoTime();
        for (int i = 0; i < 400; i++) {
            byte[] src = Frames.ip(198, 51, 100, 1 + i % 200);
            byte[] frame = i % 20 == 0
                    ? Frames.udp4(src, 30_000 + i, Frames.ip(192, 0, 2, 53), 53, 40)
                    : Frames.syn4(src, 30_000 + i, Frames.ip(192, 0, 2, 80), 443, 64, 64_240, i);
            dataPlane.offer(start + i * 25_000_000L, frame.length, 1, frame);
        }
        waitFor(() -> agent.legitimateTraffic().samples().size() == 400, Duration.ofSeconds(5));

        Http.Response refused = http.post("/rules", "{\"id\": \"all-udp\", \"filter\": \"udp\", \"action\": \"drop\"}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText())
                .isEqualTo("refused: it matches 5.00 % of the legitimate traffic"
                        + " the detector saw in the last 60 s outside the rule's destinations (20 of 400 samples, about 20 of 400"
                        + " packets, e.g. to 192.0.2.53); the limit is 1.00 %; if that is what you want, add it with force"
                        + " (levee rules add --force, or \"force\": true in the API's body)");
        assertThat(applied()).isEmpty();
        // Limited to the DNS server, the rule hurts no one else.
        assertThat(http.post(
                                "/rules",
                                "{\"id\": \"dns-udp\", \"filter\": \"udp\", \"destinations\": [\"192.0.2.53/32\"],"
                                        + " \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        assertThat(http.post(
                                "/rules",
                                "{\"id\": \"all-udp\", \"filter\": \"udp\", \"action\": \"drop\", \"force\": true}")
                        .status())
                .isEqualTo(201);
        assertThat(applied()).containsExactly("dns-udp", "all-udp");
    }

    @Test
    void anAutomaticRuleThatWouldCutOffSshIsNeverMadeAndTheAttackSaysWhy() throws Exception {
        // A SYN flood on port 22 from machines that look like any Linux client: 100 kpps at 1 in 100.
        SplittableRandom random = new SplittableRandom(22);
        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread feeder = Thread.ofPlatform().start(() -> {
            while (flooding.get()) {
                for (int i = 0; i < 10; i++) {
                    byte[] src = Frames.ip(
                            random.nextInt(1, 224), random.nextInt(256), random.nextInt(256), random.nextInt(1, 255));
                    byte[] frame = Frames.syn4(
                            src,
                            random.nextInt(1024, 65536),
                            VICTIM,
                            22,
                            random.nextInt(40, 65),
                            random.nextInt(1024, 65536),
                            random.nextInt(65536));
                    dataPlane.offer(System.nanoTime(), frame.length, 100, frame);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            waitFor(
                    () -> http.get("/metrics")
                            .body()
                            .contains("levee_detector_decisions_total{kind=\"rule_refused\"} 1.0"),
                    Duration.ofSeconds(10));
            JsonNode status = http.get("/status").json();
            assertThat(status.get("active_attacks")).hasSize(1);
            JsonNode attack = status.get("active_attacks").get(0);
            assertThat(attack.get("destination").asText()).isEqualTo("203.0.113.10/32");
            assertThat(attack.get("class").asText()).isEqualTo("tcp_syn");
            assertThat(attack.get("rule").isNull()).isTrue();
            assertThat(attack.get("evidence").get("note").asText())
                    .containsPattern(
                            "; the guard refused rule auto-1 \\(protected_endpoint\\): refused: it matches traffic"
                                    + " to the protected endpoint tcp \\*:22 \\(ssh\\): .* → 203\\.0\\.113\\.10:22");
            assertThat(applied()).isEmpty();
            assertThat(agent.rules().list()).isEmpty();
            assertThat(http.get("/metrics").body()).contains("levee_detector_decisions_total{kind=\"rule_added\"} 0.0");
        } finally {
            flooding.set(false);
            feeder.join();
        }
    }

    static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
