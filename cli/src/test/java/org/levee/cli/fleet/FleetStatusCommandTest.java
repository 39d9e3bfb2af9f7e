package org.levee.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.levee.cli.CliRun;
import org.levee.controller.rules.Problem;
import org.levee.controller.rules.ProblemsJson;
import org.levee.store.FleetKeys;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.testing.EtcdHarness;

/** {@code levee fleet status} against a real etcd holding what edges and a leader would have put there. */
class FleetStatusCommandTest {
    static final FleetKeys KEYS = FleetKeys.defaults();

    @Test
    void showsTheLeaderTheRuleSetEveryEdgeAndTheProblems() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1)) {
            EtcdClient client = etcd.client();
            Instant now = Instant.now();
            RulesetStore store = new RulesetStore(client, KEYS);
            byte[] object = "not really an ELF object".getBytes(StandardCharsets.UTF_8);
            store.publish(
                    new RulesetManifest(
                            7, List.of("syn-flood", "dns-amp"), store.refOf(object), now.minusSeconds(30), "ctl-a"),
                    object,
                    Optional.empty());
            client.put(KEYS.leader(), "ctl-a".getBytes(StandardCharsets.UTF_8));
            client.put(
                    KEYS.node("ams1", "edge-1"),
                    RegistrationJson.encode(new Registration(
                            "edge-1",
                            "ams1",
                            Optional.of("192.0.2.1"),
                            Optional.of("eth0"),
                            7,
                            1234,
                            Optional.of(now.minusSeconds(20)),
                            Optional.of(now.minusSeconds(1)),
                            null)));
            client.put(
                    KEYS.node("fra1", "edge-2"),
                    RegistrationJson.encode(new Registration(
                            "edge-2",
                            "fra1",
                            Optional.of("192.0.2.2"),
                            Optional.empty(),
                            6,
                            1200,
                            Optional.of(now.minusSeconds(125)),
                            Optional.of(now.minusSeconds(3)),
                            null)));
            client.put(KEYS.node("sin1", "edge-3"), "{\"node\": \"edge-3\"}".getBytes(StandardCharsets.UTF_8));
            client.put(
                    KEYS.problems(),
                    ProblemsJson.encode(new ProblemsJson.Report(
                            "ctl-a",
                            now,
                            List.of(new Problem("/levee/rules/bad", Optional.of("bad"), "filter: syntax error")))));

            CliRun text = CliRun.of("fleet", "status", "--etcd", etcd.endpoints());
            assertThat(text.exitCode()).as(text.err()).isZero();
            List<String> lines = text.out().lines().toList();
            assertThat(lines.get(0)).isEqualTo("leader:  ctl-a");
            assertThat(lines.get(1))
                    .startsWith("ruleset: version 7, 2 rules, object ")
                    .endsWith(" by ctl-a, unsigned");
            assertThat(lines.get(2)).matches("DATACENTER  NODE    VERSION  PROGRAM  APPLIED +LAST SEEN  STATE");
            int lastSeen = lines.get(2).indexOf("LAST SEEN");
            assertThat(lines.get(3)).matches("ams1        edge-1        7     1234  2[01]s ago +[12]s ago     current");
            assertThat(lines.get(4))
                    .matches("fra1        edge-2        6     1200  2m[56]s ago +[34]s ago     lagging");
            assertThat(lines.get(5))
                    .matches("sin1        edge-3        -        -  - +-          bad registration: "
                            + "registration at /levee/nodes/sin1/edge-3: field 'datacenter' is missing");
            for (int i = 3; i <= 5; i++) {
                assertThat(lines.get(i).charAt(lastSeen))
                        .as("columns line up: %s", lines.get(i))
                        .isIn('1', '2', '3', '4', '-');
            }
            assertThat(lines.get(6)).isEqualTo("problems: 1 rule left out");
            assertThat(lines.get(7)).isEqualTo("  /levee/rules/bad: filter: syntax error");

            CliRun json = CliRun.of("fleet", "status", "--etcd", etcd.endpoints(), "--json");
            assertThat(json.exitCode()).isZero();
            JsonNode root = new JsonMapper().readTree(json.out());
            assertThat(root.get("leader").asText()).isEqualTo("ctl-a");
            assertThat(root.get("ruleset").get("version").asLong()).isEqualTo(7);
            assertThat(root.get("ruleset").get("rules").asInt()).isEqualTo(2);
            JsonNode ams = root.get("nodes").get(0);
            assertThat(ams.get("datacenter").asText()).isEqualTo("ams1");
            assertThat(ams.get("node").asText()).isEqualTo("edge-1");
            assertThat(ams.get("version").asLong()).isEqualTo(7);
            assertThat(ams.get("program_id").asLong()).isEqualTo(1234);
            assertThat(ams.get("applied").asDouble()).isBetween(19.0, 25.0);
            assertThat(ams.get("last_seen").asDouble()).isBetween(0.5, 5.0);
            assertThat(ams.get("current").asBoolean()).isTrue();
            assertThat(root.get("ruleset").get("signed_by").isNull())
                    .as("unsigned")
                    .isTrue();
            assertThat(ams.get("signed_by").isNull()).isTrue();
            assertThat(ams.get("refused").isNull()).isTrue();
            assertThat(root.get("nodes").get(1).get("current").asBoolean()).isFalse();
            assertThat(root.get("nodes").get(2).get("current").asBoolean()).isFalse();
            assertThat(root.get("nodes").get(2).get("applied").isNull()).isTrue();
            assertThat(root.get("problems").get(0).get("key").asText()).isEqualTo("/levee/rules/bad");
            assertThat(root.get("problems").get(0).get("problem").asText()).isEqualTo("filter: syntax error");
        }
    }

    @Test
    void anEmptyFleetSaysSoAndAnUnreachableStoreIsOneLine() {
        try (EtcdHarness etcd = EtcdHarness.start(1)) {
            CliRun empty = CliRun.of("fleet", "status", "--etcd", etcd.endpoints(), "--prefix", "/other/");
            assertThat(empty.out())
                    .isEqualTo("leader:  none\nruleset: none published\nnodes:   none registered\nproblems: none\n");
        }
        CliRun away = CliRun.of("fleet", "status", "--etcd", "http://127.0.0.1:1");
        assertThat(away.exitCode()).isEqualTo(2);
        assertThat(away.err()).startsWith("levee fleet status: cannot read the fleet from etcd: ");
        CliRun prefix = CliRun.of("fleet", "status", "--prefix", "x");
        assertThat(prefix.err())
                .startsWith("levee fleet status: --prefix: etcd prefix 'x' must start and end with '/'");
    }
}
