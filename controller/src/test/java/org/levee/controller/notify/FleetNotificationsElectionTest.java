package org.levee.controller.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.detector.Detector;
import org.levee.detector.Evidence;
import org.levee.detector.Threshold;
import org.levee.detector.Trigger;
import org.levee.detector.sample.TrafficClass;
import org.levee.notify.CommandSink;
import org.levee.notify.EventKind;
import org.levee.notify.Notifier;
import org.levee.notify.testing.RecordingScript;
import org.levee.rules.Prefix;
import org.levee.store.Fence;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;

/**
 * What a new leader does with the outbox on a real etcd, step by step on one "store thread":
 * attacks that began while no controller led are notified, recorded attacks its detector does
 * not see are ended (pairing the recorded id), and an event every controller derives alike (an
 * edge lost) is sent by the first leader only.
 */
class FleetNotificationsElectionTest {
    private static final FleetKeys KEYS = FleetKeys.defaults();

    @TempDir
    Path dir;

    EtcdHarness etcd;
    EtcdClient client;
    final ExecutorService store = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() {
        etcd = EtcdHarness.start(1);
        client = etcd.client();
    }

    @AfterEach
    void stop() throws InterruptedException {
        store.shutdownNow();
        store.awaitTermination(5, TimeUnit.SECONDS);
        if (etcd != null) {
            etcd.close();
        }
    }

    /** A new leader key, as an election would put it, and its fence. */
    private Fence lead(String name) {
        client.delete(KeyRange.key(KEYS.leader()));
        client.put(KEYS.leader(), name.getBytes(StandardCharsets.UTF_8));
        return new Fence(KEYS.leader(), client.get(KEYS.leader()).orElseThrow().createRevision(), name);
    }

    private FleetNotifications controller(String name, RecordingScript script) {
        Notifier notifier = new Notifier(
                List.of(new CommandSink(script.command(), Duration.ofSeconds(5))), EnumSet.allOf(EventKind.class), 100);
        return new FleetNotifications(client, KEYS, notifier, name, Clock.systemUTC(), store, Duration.ZERO);
    }

    private void onStore(Runnable r) throws Exception {
        store.submit(r).get(10, TimeUnit.SECONDS);
    }

    private static Detector.AttackState attack(String destination, TrafficClass c, long detectedNanos) {
        Evidence e = new Evidence(
                Trigger.THRESHOLD,
                30_000,
                2.4e7,
                Threshold.packets(20_000),
                50,
                30_000,
                null,
                new TreeMap<>(Map.of("ams1", 120L)),
                "test");
        return new Detector.AttackState(Prefix.parse(destination), c, detectedNanos, Optional.empty(), e);
    }

    private List<String> keys(String under) {
        return client.get(KeyRange.prefix(KEYS.prefix() + under)).kvs().stream()
                .map(KeyValue::key)
                .toList();
    }

    @Test
    void aNewLeaderCatchesUpOnAttacksAndNeverSendsAnEventTwice() throws Exception {
        RecordingScript script = RecordingScript.in(dir);
        long now = System.nanoTime();
        Detector.AttackState syn = attack("203.0.113.10/32", TrafficClass.TCP_SYN, now - 2_000_000_000L);
        Detector.AttackState udp = attack("198.51.100.7/32", TrafficClass.UDP, now - 1_000_000_000L);

        // ctl-old takes the lead while two attacks are under way: nobody notified them, it does.
        FleetNotifications old = controller("ctl-old", script);
        Fence first = lead("ctl-old");
        ObjectNode registration =
                JsonNodeFactory.instance.objectNode().put("node", "edge-9").put("datacenter", "ams1");
        old.nodes(Map.of(KEYS.node("ams1", "edge-9"), new FleetNotifications.Edge("ams1", "edge-9", 77, registration)));
        onStore(() -> old.elected(first, List.of(syn, udp), now));
        Eventually.await(
                Duration.ofSeconds(10),
                "two attacks notified",
                () -> script.received().size() == 2);
        assertThat(script.received()).extracting(j -> j.get("kind").asText()).containsOnly("attack_detected");
        assertThat(keys("notifications/attacks/")).hasSize(2);

        // The edge goes; ctl-old reports it lost (node_lost_after 0 here).
        old.nodes(Map.of());
        onStore(old::upkeep);
        Eventually.await(
                Duration.ofSeconds(10), "the edge lost", () -> script.received().size() == 3);
        JsonNode lost = script.received().get(2);
        assertThat(lost.get("id").asText()).isEqualTo("node_lost/ams1/edge-9/77");
        Eventually.await(
                Duration.ofSeconds(5),
                "all marked sent",
                () -> keys("notifications/sent/").size() == 3);

        // ctl-new takes over. It saw the same edge go; its detector still sees the SYN flood, not the UDP one.
        FleetNotifications next = controller("ctl-new", script);
        next.nodes(
                Map.of(KEYS.node("ams1", "edge-9"), new FleetNotifications.Edge("ams1", "edge-9", 77, registration)));
        next.nodes(Map.of());
        Fence second = lead("ctl-new");
        onStore(() -> old.deposed());
        onStore(() -> next.elected(second, List.of(syn), System.nanoTime()));
        onStore(next::upkeep);
        Eventually.await(
                Duration.ofSeconds(10),
                "the UDP attack ended",
                () -> script.received().size() == 4);
        Thread.sleep(500);
        onStore(next::upkeep);
        Thread.sleep(500);
        List<JsonNode> all = script.received();
        assertThat(all)
                .as("the lost edge and the SYN attack are not sent again")
                .hasSize(4);
        JsonNode ended = all.get(3);
        assertThat(ended.get("kind").asText()).isEqualTo("attack_ended");
        assertThat(ended.at("/source/name").asText()).isEqualTo("ctl-new");
        String detectedId = all.stream()
                .filter(j -> j.get("destination").asText().equals("198.51.100.7/32"))
                .findFirst()
                .orElseThrow()
                .get("id")
                .asText();
        assertThat(ended.get("id").asText()).isEqualTo(detectedId.replace("attack_detected/", "attack_ended/"));
        assertThat(keys("notifications/attacks/"))
                .containsExactly(KEYS.prefix() + "notifications/attacks/tcp_syn/203.0.113.10/32");
        Eventually.await(
                Duration.ofSeconds(5),
                "all marked sent",
                () -> keys("notifications/sent/").size() == 4);
        assertThat(keys("notifications/pending/")).isEmpty();
        onStore(() -> next.notifier().close());
        onStore(() -> old.notifier().close());
    }
}
