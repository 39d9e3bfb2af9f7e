package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.Via;

/** Edge registrations against a real etcd: present while alive, gone when dead, back after etcd's failures. */
class NodeRegistrationTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final FleetKeys KEYS = FleetKeys.defaults();

    private static EtcdHarness etcd;
    private static EtcdClient reader;
    private final List<NodeRegistration> registrations = new ArrayList<>();

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.start(1).startProxy();
        reader = etcd.client();
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @AfterEach
    void stop() {
        registrations.forEach(NodeRegistration::close);
    }

    private NodeRegistration register(EtcdClient client, String node, String json) {
        NodeRegistration r =
                NodeRegistration.start(client, KEYS.node("ams1", node), json.getBytes(StandardCharsets.UTF_8), TTL);
        registrations.add(r);
        return r;
    }

    private Optional<KeyValue> read(String node) {
        return reader.get(KEYS.node("ams1", node));
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void theKeyIsThereWithALeaseWhileAliveAndGoneAtOnceOnClose(Via via) throws Exception {
        NodeRegistration r = register(via.client(etcd), "edge-1-" + via, "{\"node\":\"edge-1\",\"version\":1}");
        Eventually.await(Duration.ofSeconds(5), "registered", () -> r.state().registered());
        KeyValue kv = read("edge-1-" + via).orElseThrow();
        assertThat(kv.lease()).isEqualTo(r.state().lease()).isNotZero();
        JsonNode listed = JSON.readTree(etcd.etcdctl("get", KEYS.node("ams1", "edge-1-" + via), "--print-value-only"));
        assertThat(listed.get("node").asText()).isEqualTo("edge-1");
        assertThat(etcd.etcdctl("lease", "timetolive", Long.toHexString(kv.lease())))
                .contains("granted with TTL(2s)");

        r.update("{\"node\":\"edge-1\",\"version\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(read("edge-1-" + via).orElseThrow().valueUtf8()).isEqualTo("{\"node\":\"edge-1\",\"version\":2}");
        // Kept alive for longer than its TTL.
        Thread.sleep(TTL.toMillis() + 1000);
        assertThat(read("edge-1-" + via)).isPresent();
        assertThat(r.state().registrations()).isEqualTo(1);

        r.close();
        assertThat(read("edge-1-" + via)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aNodeThatDiesWithoutRevokingVanishesWithinItsTtl(Via via) {
        NodeRegistration r = register(via.client(etcd), "edge-2-" + via, "{}");
        Eventually.await(Duration.ofSeconds(5), "registered", () -> r.state().registered());
        r.abandon();
        assertThat(read("edge-2-" + via))
                .as("still there right after the node died")
                .isPresent();
        Duration gone = Eventually.await(
                TTL.plusSeconds(2),
                "the registration expires",
                () -> read("edge-2-" + via).isEmpty());
        assertThat(gone).isGreaterThan(Duration.ofMillis(500));
    }

    @Test
    void theRegistrationIsBackAfterEtcdRestartsAndAfterItsLeaseIsRevoked() {
        NodeRegistration r = register(etcd.client(), "edge-3", "{\"n\":3}");
        Eventually.await(Duration.ofSeconds(5), "registered", () -> r.state().registered());

        // etcd down for longer than the TTL: on restart etcd renews its leases, the node renews its own.
        etcd.stop(0);
        sleep(TTL.toMillis() + 500);
        etcd.restart(0);
        Eventually.await(
                TTL.plusSeconds(3),
                "registered after the restart",
                () -> read("edge-3").isPresent() && r.state().registered());
        sleep(TTL.toMillis() + 500);
        assertThat(read("edge-3")).as("kept alive after the restart").isPresent();

        // The lease revoked under it: a new lease, the key put again.
        long lease = r.state().lease();
        etcd.etcdctl("lease", "revoke", Long.toHexString(lease));
        assertThat(read("edge-3")).isEmpty();
        Duration back = Eventually.await(
                TTL.plusSeconds(2),
                "registered again with a new lease",
                () -> read("edge-3")
                        .map(kv -> kv.lease() != lease && kv.lease() != 0)
                        .orElse(false));
        assertThat(back).isLessThan(TTL.plusMillis(500));
        Eventually.await(Duration.ofSeconds(1), "counted", () -> r.state().registrations() == 2);
        assertThat(read("edge-3").orElseThrow().valueUtf8()).isEqualTo("{\"n\":3}");
    }

    @Test
    void theRegistrationIsBackAfterTheClusterIsRebuiltEmpty() {
        NodeRegistration r = register(etcd.client(), "edge-4", "{\"n\":4}");
        Eventually.await(Duration.ofSeconds(5), "registered", () -> r.state().registered());
        etcd.rebuild();
        Eventually.await(
                TTL.plusSeconds(5),
                "registered in the new cluster",
                () -> read("edge-4").isPresent());
        Eventually.await(Duration.ofSeconds(1), "counted", () -> r.state().registrations() == 2);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
