package org.levee.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.Sampling;
import org.levee.agent.testing.Frames;
import org.levee.agent.testing.Http;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.dataplane.Counters;
import org.levee.notify.NotificationsConfig;
import org.levee.notify.testing.Receiver;
import org.levee.notify.testing.RecordingScript;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;
import org.levee.testing.Requirements;

/**
 * The agent's detection path without a kernel: samples of a memcached reflection flood go in,
 * an automatic rule comes out, is applied, stored and shown with its evidence, and is retired
 * when the flood stops.
 */
class DetectionTest {

    @TempDir
    Path state;

    private static final int RATE = 100;
    private static final byte[] VICTIM = Frames.ip(203, 0, 113, 10);

    @Test
    void aFloodBecomesAnAutomaticRuleThatIsRetiredWhenTheFloodStops() throws Exception {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        AgentConfig config = TestAgents.config(state, "ams1");
        config = config.withDetector(TestAgents.detector(1024, Duration.ofSeconds(3), Duration.ofSeconds(1)));
        SplittableRandom random = new SplittableRandom(0xf100dL);
        Path scripts = Files.createDirectory(state.resolve("scripts"));
        RecordingScript script = RecordingScript.in(scripts);
        try (Receiver receiver = Receiver.start();
                Agent agent = Agent.start(
                        config.withNotifications(NotificationsConfig.none()
                                .withCommand(script.command())
                                .withWebhooks(List.of(new NotificationsConfig.Webhook(receiver.url())))),
                        dp)) {
            Http http = new Http(agent.apiAddress());
            // Legitimate DNS alone for 2.5 s (the destination's normal traffic, 1 kpps), then
            // 100 kpps of reflection on top (1000 samples/s at 1 in 100), until told to stop.
            dp.offer(System.nanoTime(), 60, RATE, new byte[] {1, 2, 3}); // not a frame: counted, not fatal
            AtomicBoolean flooding = new AtomicBoolean(true);
            JsonNode shown;
            String ruleId;
            Thread feeder = Thread.ofPlatform().start(() -> {
                long start = System.nanoTime();
                int round = 0;
                while (flooding.get()) {
                    for (int i = 0; i < (System.nanoTime() - start < 2_500_000_000L ? 0 : 10); i++) {
                        byte[] src = Frames.ip(198, 51, 100, random.nextInt(1, 255));
                        byte[] frame = Frames.udp4(src, 11211, VICTIM, random.nextInt(1024, 65536), 1200);
                        dp.offer(System.nanoTime(), frame.length, RATE, frame);
                    }
                    if (++round % 10 == 0) {
                        byte[] legit = Frames.udp4(
                                Frames.ip(192, 0, 2, random.nextInt(1, 255)),
                                random.nextInt(1024, 65536),
                                VICTIM,
                                53,
                                40);
                        dp.offer(System.nanoTime(), legit.length, RATE, legit);
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                // The detection thread adds the rule, then follows the attack, then counts the
                // decision: wait until all three show, since the API reads them apart.
                waitFor(
                        () -> !agent.rules().list().isEmpty()
                                && http.get("/status")
                                                .json()
                                                .get("active_attacks")
                                                .size()
                                        == 1
                                && http.get("/metrics")
                                        .body()
                                        .contains("levee_detector_decisions_total{kind=\"rule_added\"} 1.0"),
                        Duration.ofSeconds(8));
                assertThat(agent.rules().list()).as("one automatic rule").hasSize(1);
                StoredRule rule = agent.rules().list().getFirst();
                assertThat(rule.rule().comment()).as(rule.evidence().toString()).contains("11211");
                assertThat(rule.rule().origin()).isEqualTo(Origin.AUTO);
                assertThat(rule.id()).matches("auto-[0-9a-z]+-1");
                assertThat(rule.evidence()).isPresent();
                assertThat(rule.evidence().get().trafficClass()).isEqualTo("udp");
                assertThat(rule.evidence().get().destination()).isEqualTo("203.0.113.10/32");
                assertThat(rule.evidence().get().coverage()).isGreaterThanOrEqualTo(0.95);
                assertThat(dp.current().rules()).extracting(r -> r.id()).containsExactly(rule.id());

                // The rule's filter drops the flood and spares the legitimate DNS.
                var program = ((Match.Cbpf) rule.rule().match()).program();
                byte[] flood = Frames.udp4(Frames.ip(198, 51, 100, 7), 11211, VICTIM, 4444, 1200);
                byte[] dns = Frames.udp4(Frames.ip(192, 0, 2, 9), 5353, VICTIM, 53, 40);
                assertThat(CbpfInterpreter.matches(program, flood, flood.length))
                        .isTrue();
                assertThat(CbpfInterpreter.matches(program, dns, dns.length)).isFalse();

                JsonNode status = http.get("/status").json();
                assertThat(status.get("active_attacks")).hasSize(1);
                JsonNode attack = status.get("active_attacks").get(0);
                assertThat(attack.get("rule").asText()).isEqualTo(rule.id());
                assertThat(attack.get("class").asText()).isEqualTo("udp");
                assertThat(attack.get("evidence").get("trigger").asText()).isEqualTo("threshold");
                shown = http.get("/rules/" + rule.id()).json();
                ruleId = rule.id();
                assertThat(shown.get("evidence").get("fingerprint").asText()).contains("11211");
                assertThat(http.get("/metrics").body())
                        .contains("levee_detector_decisions_total{kind=\"rule_added\"} 1.0")
                        .contains("levee_attacks_active 1.0")
                        .contains("levee_samples_undecodable_total 1.0")
                        .contains("levee_detection_failures_total 0.0")
                        .contains("levee_detector_samples_uncounted_total 0.0")
                        .containsPattern("levee_detector_tracked_destinations [1-9][0-9]*\\.0");
            } finally {
                flooding.set(false);
                feeder.join();
            }

            // The flood stops: after the cool-down the detector retires the rule.
            waitFor(
                    () -> agent.rules().list().isEmpty()
                            && http.get("/status").json().get("active_attacks").isEmpty()
                            && http.get("/metrics")
                                    .body()
                                    .contains("levee_detector_decisions_total{kind=\"rule_retired\"} 1.0"),
                    Duration.ofSeconds(10));
            assertThat(dp.current().rules()).isEmpty();
            assertThat(http.get("/status").json().get("active_attacks")).isEmpty();
            assertThat(http.get("/metrics").body())
                    .contains("levee_detector_decisions_total{kind=\"rule_retired\"} 1.0");

            // Each event went to the command and to the webhook, with the evidence the API shows.
            waitFor(() -> receiver.delivered().size() >= 3 && script.received().size() >= 3, Duration.ofSeconds(10));
            List<JsonNode> events = receiver.delivered();
            assertThat(script.received())
                    .map(JsonNode::toString)
                    .isEqualTo(events.stream().map(JsonNode::toString).toList());
            assertThat(events)
                    .extracting(e -> e.get("kind").asText())
                    .containsExactly("attack_detected", "rule_added", "rule_retired");
            JsonNode detected = events.get(0);
            JsonNode added = events.get(1);
            JsonNode retired = events.get(2);
            assertThat(detected.get("id").asText()).startsWith("attack_detected/203.0.113.10/32/udp/");
            assertThat(detected.get("destination").asText()).isEqualTo("203.0.113.10/32");
            assertThat(detected.at("/evidence/trigger").asText()).isEqualTo("threshold");
            assertThat(detected.at("/source/name").asText()).isEqualTo(config.node());
            assertThat(detected.at("/source/datacenter").asText()).isEqualTo("ams1");
            assertThat(added.get("id").asText()).isEqualTo("rule_added/" + ruleId);
            // The rule in the stored-rule shape: what GET /rules/ID showed while it was in force (but its counters).
            assertThat(added.get("rule").toString())
                    .isEqualTo(((ObjectNode) shown.deepCopy())
                            .without(List.of("packets", "bytes"))
                            .toString());
            assertThat(added.get("text").asText())
                    .contains("rule " + ruleId + " drops the udp attack on 203.0.113.10/32");
            assertThat(retired.get("id").asText()).isEqualTo("rule_retired/" + ruleId);
            assertThat(retired.at("/rule/id").asText()).isEqualTo(ruleId);
            assertThat(retired.get("reason").asText()).startsWith("the attack is over");
            assertThat(http.get("/metrics").body())
                    .contains("levee_notifications_total{outcome=\"delivered\",sink=\"webhook[0]\"} 3.0")
                    .contains("levee_notifications_total{outcome=\"delivered\",sink=\"command\"} 3.0")
                    .contains("levee_notifications_total{outcome=\"dropped\",sink=\"webhook[0]\"} 0.0");
        }
    }

    static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void theSampleRateFollowsTheTrafficToTheTarget() throws Exception {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        AgentConfig config = TestAgents.config(state, "").withSampling(Sampling.target(1_000));
        try (Agent agent = Agent.start(config, dp)) {
            assertThat(dp.sampleRate()).isEqualTo(1);
            // 500 kpps: N should become 500 for 1000 samples a second.
            long start = System.nanoTime();
            long deadline = start + 10_000_000_000L;
            while (dp.sampleRate() == 1 && System.nanoTime() < deadline) {
                long seen = (System.nanoTime() - start) / 2_000; // 500 packets per millisecond
                dp.setCounters(new Counters(seen, seen, 0, 0, 0, 0, java.util.Map.of()));
                Thread.sleep(20);
            }
            assertThat(dp.sampleRate()).as("N at 500 kpps for 1000 samples/s").isBetween(400, 625);
            assertThat(new Http(agent.apiAddress())
                            .get("/status")
                            .json()
                            .get("sample_rate")
                            .asInt())
                    .isEqualTo(dp.sampleRate());
        }
    }
}
