package org.levee.controller.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.controller.Controller;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.testing.Edge;
import org.levee.controller.testing.Fleet;
import org.levee.detector.DetectorConfig;
import org.levee.detector.synth.Traffic;
import org.levee.notify.NotificationsConfig;
import org.levee.notify.Notifier;
import org.levee.notify.testing.Receiver;
import org.levee.notify.testing.RecordingScript;
import org.levee.rules.IpAddress;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * Two controllers on a real etcd, both configured to notify the same webhook and command: only
 * the leader sends, each event once; after the leader dies the new one sends nothing its
 * predecessor sent, and sends what happens next — the rule retired, an edge lost, a rule set
 * refused — once each.
 */
class FleetNotificationsTest {
    static final IpAddress VICTIM = IpAddress.parse("203.0.113.10");
    static final String[] DATACENTERS = {"ams1", "fra1", "sin1"};
    static final String[] AGENTS = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};

    @TempDir
    Path dir;

    Fleet fleet;
    Receiver receiver;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
        receiver = Receiver.start();
        for (int i = 0; i < 3; i++) {
            fleet.register(DATACENTERS[i], "edge-" + i, AGENTS[i]);
        }
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private ControllerConfig config(String name, RecordingScript script) {
        return Fleet.config(name)
                .withDetector(DetectorConfig.defaults().withCooldown(Duration.ofSeconds(3)))
                .withNotifications(NotificationsConfig.none()
                        .withCommand(script.command())
                        .withWebhooks(List.of(new NotificationsConfig.Webhook(receiver.url())))
                        .withRetries(0)
                        .withNodeLostAfter(Duration.ofSeconds(1)));
    }

    /** The kinds received, each with who sent it: {@code rule_added ctl-a}. */
    private List<String> received() {
        return receiver.delivered().stream()
                .map(j -> j.get("kind").asText() + " " + j.at("/source/name").asText())
                .toList();
    }

    @Test
    void onlyTheLeaderNotifiesEachEventOnceAcrossAFailover() throws Exception {
        RecordingScript script = RecordingScript.in(dir);
        Controller a = fleet.start(config("ctl-a", script));
        Eventually.await(Duration.ofSeconds(10), "ctl-a leads", a::isLeader);
        Controller b = fleet.start(config("ctl-b", script));
        Edge[] edges = {fleet.edge(AGENTS[0]), fleet.edge(AGENTS[1]), fleet.edge(AGENTS[2])};
        AtomicBoolean flooding = new AtomicBoolean(true);
        Future<?> traffic = fleet.playInBackground(() -> fleet.play(
                List.of(flood(edges[0], 1, flooding), flood(edges[1], 2, flooding), flood(edges[2], 3, flooding))));
        StoredRule rule;
        try {
            Eventually.await(
                    Duration.ofSeconds(15),
                    () -> "ctl-a notifies the attack and its rule: " + received(),
                    () -> received().containsAll(List.of("attack_detected ctl-a", "rule_added ctl-a")));
            rule = fleet.rules().stream()
                    .filter(r -> r.rule().origin() == Origin.AUTO)
                    .findFirst()
                    .orElseThrow();
            Eventually.await(
                    Duration.ofSeconds(5),
                    "ctl-b's warm detector has the attack too",
                    () -> !b.attacks().isEmpty());
            Thread.sleep(500);
            assertThat(received())
                    .as("the follower sends nothing")
                    .containsExactlyInAnyOrder("attack_detected ctl-a", "rule_added ctl-a");
            assertThat(b.notifier().stats()).allMatch(s -> s.delivered() + s.failed() + s.dropped() == 0);
            JsonNode added = receiver.delivered().stream()
                    .filter(j -> j.get("kind").asText().equals("rule_added"))
                    .findFirst()
                    .orElseThrow();
            assertThat(added.get("id").asText()).isEqualTo("rule_added/" + rule.id());
            assertThat(added.get("rule").toString())
                    .isEqualTo(org.levee.rules.StoredRuleCodec.write(rule).toString());
            Eventually.await(
                    Duration.ofSeconds(5),
                    "ctl-a marks both sent",
                    () -> keys("notifications/sent/").size() == 2);
            assertThat(keys("notifications/pending/")).isEmpty();

            // ctl-a dies without resigning; ctl-b takes over within the leader TTL.
            a.halt();
            Eventually.await(Duration.ofSeconds(10), "ctl-b takes over", b::isLeader);
            Thread.sleep(1500);
            assertThat(received())
                    .as("ctl-b sends nothing ctl-a sent")
                    .containsExactlyInAnyOrder("attack_detected ctl-a", "rule_added ctl-a");

            // An edge goes (its lease expired), another refuses the published set.
            fleet.client().delete(KeyRange.key(Fleet.KEYS.node("sin1", "edge-2")));
            ObjectNode refusing = RegistrationJson.toJson(new Registration(
                    "edge-1",
                    "fra1",
                    Optional.of(AGENTS[1]),
                    Optional.of("eth0"),
                    3,
                    41,
                    Optional.empty(),
                    Optional.of(Instant.now()),
                    null));
            refusing.putObject("refused")
                    .put("reason", "load")
                    .put("revision", 812)
                    .put("message", "version 4 (object 1a2b3c): the verifier refused the program")
                    .put("at", Instant.now().toString());
            fleet.client()
                    .put(Fleet.KEYS.node("fra1", "edge-1"), refusing.toString().getBytes(StandardCharsets.UTF_8));
            Eventually.await(
                    Duration.ofSeconds(10),
                    () -> "ctl-b notifies the lost edge and the refusal: " + received(),
                    () -> received().containsAll(List.of("node_lost ctl-b", "ruleset_refused ctl-b")));
            // The refusing edge reports again (its counters): the same refusal is not sent twice.
            refusing.put("reported", Instant.now().toString());
            fleet.client()
                    .put(Fleet.KEYS.node("fra1", "edge-1"), refusing.toString().getBytes(StandardCharsets.UTF_8));
        } finally {
            flooding.set(false);
            traffic.get();
        }
        Eventually.await(
                Duration.ofSeconds(20),
                () -> "ctl-b retires the adopted rule and says so: " + received(),
                () -> received().contains("rule_retired ctl-b"));
        Thread.sleep(1500);
        assertThat(received())
                .containsExactlyInAnyOrder(
                        "attack_detected ctl-a",
                        "rule_added ctl-a",
                        "node_lost ctl-b",
                        "ruleset_refused ctl-b",
                        "rule_retired ctl-b");
        List<JsonNode> all = receiver.delivered();
        assertThat(all.stream().map(j -> j.get("id").asText()).distinct()).hasSize(5);
        JsonNode retired = byKind(all, "rule_retired");
        assertThat(retired.get("id").asText()).isEqualTo("rule_retired/" + rule.id());
        assertThat(retired.at("/rule/id").asText()).isEqualTo(rule.id());
        JsonNode lost = byKind(all, "node_lost");
        assertThat(lost.get("node").toString()).isEqualTo("{\"datacenter\":\"sin1\",\"node\":\"edge-2\"}");
        assertThat(lost.at("/registration/sflow_agent").asText()).isEqualTo(AGENTS[2]);
        JsonNode refused = byKind(all, "ruleset_refused");
        assertThat(refused.get("id").asText()).isEqualTo("ruleset_refused/fra1/edge-1/812");
        assertThat(refused.at("/refused/message").asText()).contains("the verifier refused");
        // The command got the same documents as the webhook.
        Eventually.await(
                Duration.ofSeconds(5),
                "the command ran 5 times",
                () -> script.received().size() == 5);
        assertThat(script.received().stream().map(j -> j.get("id").asText()).collect(Collectors.toSet()))
                .isEqualTo(all.stream().map(j -> j.get("id").asText()).collect(Collectors.toSet()));
        // The outbox: every event marked sent, nothing pending, no attack open.
        Eventually.await(
                Duration.ofSeconds(5),
                "all marked sent",
                () -> keys("notifications/sent/").size() == 5);
        assertThat(keys("notifications/pending/")).isEmpty();
        assertThat(keys("notifications/attacks/")).isEmpty();
        assertThat(b.notifier().stats()).contains(new Notifier.SinkStats("webhook[0]", 3, 0, 0));
        java.io.ByteArrayOutputStream scrape = new java.io.ByteArrayOutputStream();
        b.metrics().write(scrape);
        assertThat(scrape.toString(StandardCharsets.UTF_8))
                .contains("levee_controller_notifications_total{outcome=\"delivered\",sink=\"webhook[0]\"} 3.0")
                .contains("levee_controller_notifications_total{outcome=\"dropped\",sink=\"command\"} 0.0");
    }

    @Test
    void whatADeadLeaderRecordedButCouldNotDeliverTheNextOneSends() throws Exception {
        // ctl-a's only sink is a webhook that does not answer; ctl-b also runs a command.
        RecordingScript bScript = RecordingScript.in(java.nio.file.Files.createDirectory(dir.resolve("b")));
        receiver.hang(true);
        Controller a = fleet.start(Fleet.config("ctl-a")
                .withDetector(DetectorConfig.defaults().withCooldown(Duration.ofSeconds(3)))
                .withNotifications(NotificationsConfig.none()
                        .withWebhooks(List.of(new NotificationsConfig.Webhook(receiver.url())))
                        .withTimeout(Duration.ofSeconds(30))
                        .withRetries(0)));
        Eventually.await(Duration.ofSeconds(10), "ctl-a leads", a::isLeader);
        Controller b = fleet.start(config("ctl-b", bScript));
        Edge[] edges = {fleet.edge(AGENTS[0]), fleet.edge(AGENTS[1]), fleet.edge(AGENTS[2])};
        AtomicBoolean flooding = new AtomicBoolean(true);
        Future<?> traffic = fleet.playInBackground(() -> fleet.play(
                List.of(flood(edges[0], 4, flooding), flood(edges[1], 5, flooding), flood(edges[2], 6, flooding))));
        try {
            Eventually.await(
                    Duration.ofSeconds(15),
                    () -> "ctl-a records the attack and its rule: " + keys("notifications/"),
                    () -> keys("notifications/pending/").size() == 2);
            List<String> recorded = keys("notifications/pending/");
            a.halt();
            receiver.hang(false);
            Eventually.await(Duration.ofSeconds(10), "ctl-b takes over", b::isLeader);
            Eventually.await(
                    Duration.ofSeconds(10),
                    () -> "ctl-b sends what ctl-a recorded: " + bScript.received(),
                    () -> bScript.received().size() == 2);
            assertThat(bScript.received())
                    .extracting(j -> Fleet.KEYS.prefix() + "notifications/pending/"
                            + j.get("id").asText())
                    .containsExactlyInAnyOrderElementsOf(recorded);
            // As ctl-a recorded them: its name, its time.
            assertThat(bScript.received())
                    .extracting(j -> j.at("/source/name").asText())
                    .containsOnly("ctl-a");
            assertThat(bScript.received())
                    .extracting(j -> j.get("kind").asText())
                    .containsExactlyInAnyOrder("attack_detected", "rule_added");
            Eventually.await(
                    Duration.ofSeconds(5),
                    "ctl-b marks them sent",
                    () -> keys("notifications/pending/").isEmpty());
            for (KeyValue kv : fleet.client()
                    .get(KeyRange.prefix(Fleet.KEYS.prefix() + "notifications/sent/"))
                    .kvs()) {
                assertThat(kv.valueUtf8()).contains("\"controller\":\"ctl-b\"").contains("\"command\":\"delivered\"");
            }
            Thread.sleep(1000);
            assertThat(bScript.received())
                    .as("and nothing else while the attack goes on")
                    .hasSize(2);
        } finally {
            flooding.set(false);
            traffic.get();
        }
    }

    private static JsonNode byKind(List<JsonNode> all, String kind) {
        return all.stream()
                .filter(j -> j.get("kind").asText().equals(kind))
                .findFirst()
                .orElseThrow();
    }

    private List<String> keys(String under) {
        return fleet.client().get(KeyRange.prefix(Fleet.KEYS.prefix() + under)).kvs().stream()
                .map(KeyValue::key)
                .toList();
    }

    /** Web clients, then a SYN flood of 8 kpps at the edge until {@code flooding} goes false. */
    static Runnable flood(Edge edge, long seed, AtomicBoolean flooding) {
        return () -> {
            SplittableRandom random = new SplittableRandom(seed);
            Edge.Flow web = new Edge.Flow("web", Traffic.webClients(VICTIM), 2_000, 100);
            edge.play(List.of(web), Duration.ofMillis(1500), random);
            Edge.Flow syn = new Edge.Flow("syn", Traffic.synFlood(VICTIM), 8_000, 100);
            while (flooding.get()) {
                edge.play(List.of(web, syn), Duration.ofMillis(500), random);
            }
        };
    }
}
