package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.controller.fleet.FleetStatus;
import org.levee.controller.fleet.FleetStatusReader;
import org.levee.controller.rules.Problem;
import org.levee.controller.rules.ProblemsJson;
import org.levee.controller.testing.Fleet;
import org.levee.controller.testing.Http;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.store.RulesetManifest;
import org.levee.store.etcd.KeyRange;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * Rule sources in etcd, whoever writes them — etcdctl or the rules API — become the next
 * published rule set; a bad source is left out and reported (etcd's problems key, /fleet, the
 * metrics) and never breaks the rest.
 */
class RuleSourcesTest {
    static final JsonMapper JSON = new JsonMapper();

    Fleet fleet;
    Controller controller;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
        controller = fleet.start(Fleet.config("ctl-a").withObjectGrace(Duration.ZERO));
        Eventually.await(
                Duration.ofSeconds(10),
                "the first (empty) rule set",
                () -> fleet.manifest().isPresent());
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private void put(String id, String json) {
        fleet.etcd().etcdctl("put", Fleet.KEYS.rule(id), json);
    }

    private List<Problem> storedProblems() {
        return fleet.client()
                .get(Fleet.KEYS.problems())
                .map(kv -> ProblemsJson.decode(kv.value(), kv.key()).problems())
                .orElse(List.of());
    }

    @Test
    void goodSourcesArePublishedAndBadOnesReportedWithoutBreakingTheRest() throws Exception {
        put("memcached", "{\"filter\": \"udp and src port 11211\", \"action\": \"drop\", \"comment\": \"reflection\"}");
        put("bad-json", "{\"filter\": \"udp\", \"action\":");
        put("colourful", "{\"id\": \"colourful\", \"filter\": \"udp\", \"action\": \"drop\", \"colour\": \"red\"}");
        put("bad-filter", "{\"id\": \"bad-filter\", \"filter\": \"udp and nonsense\", \"action\": \"drop\"}");
        put("wrong-id", "{\"id\": \"other\", \"filter\": \"udp\", \"action\": \"drop\"}");

        Eventually.await(
                Duration.ofSeconds(10),
                () -> "memcached published and 4 problems: " + fleet.manifest() + " " + storedProblems(),
                () -> fleet.manifest()
                                .map(m -> m.rules().equals(List.of("memcached")))
                                .orElse(false)
                        && storedProblems().size() == 4);
        RulesetManifest m = fleet.manifest().orElseThrow();
        assertThat(RuleSetObject.fromElf("v" + m.version(), fleet.object(m)).rules())
                .extracting(r -> r.id())
                .containsExactly("memcached");

        List<String> problems =
                new ArrayList<>(storedProblems().stream().map(Problem::toString).toList());
        assertThat(problems)
                .anySatisfy(p -> assertThat(p).startsWith("/levee/rules/bad-json: not valid JSON"))
                .anySatisfy(p -> assertThat(p).startsWith("/levee/rules/colourful: colour: unknown field"))
                .anySatisfy(p -> assertThat(p)
                        .startsWith("/levee/rules/bad-filter: filter: ")
                        .contains("syntax error"))
                .anySatisfy(p ->
                        assertThat(p).isEqualTo("/levee/rules/wrong-id: id: 'other' is not the key's id 'wrong-id'"));

        FleetStatus status = FleetStatusReader.read(fleet.client(), Fleet.KEYS, Instant.now());
        assertThat(status.problems()).hasSize(4);
        JsonNode fleetJson = Http.to(controller.apiAddress()).get("/fleet").json();
        assertThat(fleetJson.get("problems")).hasSize(4);
        assertThat(fleetJson.get("ruleset").get("rules").asInt()).isEqualTo(1);
        assertThat(fleetJson.get("leader").asText()).isEqualTo("ctl-a");
        assertThat(controller.problems()).hasSize(4);
        java.io.ByteArrayOutputStream metrics = new java.io.ByteArrayOutputStream();
        controller.metrics().write(metrics);
        assertThat(metrics.toString()).contains("levee_controller_bad_rules 4.0");

        // etcdctl shows the sources as JSON; the leader completed the operator's rule with its created time.
        Eventually.await(
                Duration.ofSeconds(5),
                "memcached written back with created",
                () -> fleet.client()
                        .get(Fleet.KEYS.rule("memcached"))
                        .map(kv -> kv.valueUtf8().contains("\"created\""))
                        .orElse(false));
        String listing = fleet.etcd().etcdctl("get", "--prefix", "/levee/rules/", "--print-value-only");
        JsonNode memcached = null;
        for (String line : listing.split("\n")) {
            if (line.contains("11211")) {
                memcached = JSON.readTree(line);
            }
        }
        assertThat(memcached).as(listing).isNotNull();
        assertThat(memcached.get("id").asText()).isEqualTo("memcached");
        assertThat(memcached.get("origin").asText()).isEqualTo("manual");
        assertThat(Instant.parse(memcached.get("created").asText())).isBefore(Instant.now());

        // Fixing a source brings it in; the rest stays.
        put("bad-filter", "{\"id\": \"bad-filter\", \"filter\": \"udp and port 53\", \"action\": \"drop\"}");
        Eventually.await(
                Duration.ofSeconds(10),
                () -> "bad-filter fixed: " + fleet.manifest(),
                () -> fleet.manifest().map(x -> x.rules().size() == 2).orElse(false)
                        && storedProblems().size() == 3);
        assertThat(fleet.manifest().orElseThrow().rules())
                .as("ordered by created")
                .containsExactly("memcached", "bad-filter");
    }

    @Test
    void theRulesApiWritesRuleSourcesAsAnAgentsApiWritesRules() {
        Http api = Http.to(controller.apiAddress(), fleet.stateDir("ctl-a"));
        Http.Answer added = api.post(
                "/rules",
                "{\"id\": \"memcached\", \"filter\": \"udp and src port 11211\", "
                        + "\"action\": \"ratelimit\", \"pps\": 1000, \"ttl\": \"1h\", \"dst\": null}");
        assertThat(added.status()).as(added.text()).isEqualTo(400);
        assertThat(added.json().get("error").asText()).contains("dst: unknown field");

        added = api.post(
                "/rules",
                "{\"id\": \"memcached\", \"filter\": \"udp and src port 11211\", "
                        + "\"action\": \"ratelimit\", \"pps\": 1000, \"ttl\": \"1h\"}");
        assertThat(added.status()).as(added.text()).isEqualTo(201);
        assertThat(added.json().get("origin").asText()).isEqualTo("manual");
        assertThat(added.json().get("burst").asLong()).isEqualTo(1000);
        assertThat(Instant.parse(added.json().get("expires").asText()))
                .isAfter(Instant.now().plusSeconds(3500));
        assertThat(fleet.client().get(Fleet.KEYS.rule("memcached"))).isPresent();

        Http.Answer minted = api.post("/rules", "{\"dns\": [\"*.victim.example\"], \"action\": \"drop\"}");
        assertThat(minted.status()).isEqualTo(201);
        String mintedId = minted.json().get("id").asText();
        assertThat(mintedId).matches("manual-[0-9a-f]{8}");

        assertThat(api.post("/rules", "{\"id\": \"memcached\", \"filter\": \"udp\", \"action\": \"drop\"}")
                        .status())
                .isEqualTo(409);
        Http.Answer bad = api.post("/rules", "{\"filter\": \"udp and nonsense\", \"action\": \"drop\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).startsWith("filter: ");
        assertThat(api.post("/rules", "{\"filter\": \"udp\", \"action\": \"dorp\"}")
                        .json()
                        .get("error")
                        .asText())
                .isEqualTo("action: unknown value \"dorp\" (drop, pass or ratelimit)");

        JsonNode list = api.get("/rules").json();
        assertThat(list.get("rules"))
                .extracting(r -> r.get("id").asText())
                .containsExactlyInAnyOrder("memcached", mintedId);
        assertThat(list.get("rules").get(0).has("packets")).isTrue();
        assertThat(api.get("/rules/memcached").json().get("pps").asLong()).isEqualTo(1000);
        Eventually.await(
                Duration.ofSeconds(10),
                "both published",
                () -> fleet.manifest().map(m -> m.rules().size() == 2).orElse(false));

        assertThat(api.delete("/rules/memcached").json().get("deleted").asText())
                .isEqualTo("memcached");
        assertThat(api.delete("/rules/memcached").status()).isEqualTo(404);
        assertThat(api.get("/rules/memcached").status()).isEqualTo(404);
        assertThat(api.get("/nothing").status()).isEqualTo(404);
        assertThat(api.post("/fleet", "{}").status()).isEqualTo(405);
        Eventually.await(
                Duration.ofSeconds(10),
                "memcached withdrawn",
                () -> fleet.manifest()
                        .map(m -> m.rules().equals(List.of(mintedId)))
                        .orElse(false));
        JsonNode status = api.get("/status").json();
        assertThat(status.get("controller").asText()).isEqualTo("ctl-a");
        assertThat(status.get("leader").asBoolean()).isTrue();
        assertThat(status.get("ruleset").get("rules").asInt()).isEqualTo(1);
    }

    @Test
    void expiredRulesAreDeletedAndTheSetIsPublishedWithoutThem() {
        String expires = Instant.now().plusSeconds(2).toString();
        put(
                "short",
                "{\"filter\": \"icmp\", \"action\": \"drop\", \"expires\": \"" + expires + "\", \"created\": \""
                        + Instant.now() + "\"}");
        Eventually.await(
                Duration.ofSeconds(10),
                "published",
                () -> fleet.manifest().map(m -> m.rules().contains("short")).orElse(false));
        Eventually.await(
                Duration.ofSeconds(10),
                "deleted once expired",
                () -> fleet.client().get(Fleet.KEYS.rule("short")).isEmpty());
        Eventually.await(
                Duration.ofSeconds(10),
                "published without it",
                () -> fleet.manifest().map(m -> m.rules().isEmpty()).orElse(false));
    }

    @Test
    void theSameSourcesGiveTheSameObjectAndUnreferencedObjectsAreCollected() throws Exception {
        put("a", "{\"filter\": \"udp port 9\", \"action\": \"drop\", \"created\": \"2026-01-01T00:00:00Z\"}");
        Eventually.await(
                Duration.ofSeconds(10),
                "published",
                () -> fleet.manifest().map(m -> m.rules().contains("a")).orElse(false));
        RulesetManifest first = fleet.manifest().orElseThrow();
        assertThat(objects()).as("the empty set's object and this one").hasSize(2);

        var collected = controller.collectGarbage();
        assertThat(collected.deleted()).as("the grace period is 0").hasSize(1);
        assertThat(objects()).containsExactly(first.object().sha256());

        // A new leader with the same sources compiles the same bytes: nothing is published again.
        controller.close();
        Controller second = fleet.start(Fleet.config("ctl-b"));
        Eventually.await(Duration.ofSeconds(10), "ctl-b leads", second::isLeader);
        Thread.sleep(1000);
        assertThat(fleet.manifest().orElseThrow()).isEqualTo(first);
    }

    private List<String> objects() {
        return fleet.client().keys(KeyRange.prefix(Fleet.KEYS.objects())).kvs().stream()
                .map(kv -> kv.key().substring(Fleet.KEYS.objects().length()).split("/")[0])
                .distinct()
                .toList();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
