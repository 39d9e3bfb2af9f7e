package org.levee.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.agent.fleet.FleetFixture.config;
import static org.levee.agent.fleet.FleetFixture.drain;
import static org.levee.agent.fleet.FleetFixture.listen;
import static org.levee.agent.fleet.FleetFixture.publish;
import static org.levee.agent.fleet.FleetFixture.send;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.testing.Http;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.TranslatedCode;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * Local rules: an operator adds a rule through one edge's API; it drops on that edge only, is
 * counted like the fleet's rules, and the fleet's program stays byte for byte the program of
 * another edge of the data center without local rules (the kernel's translated code of both, map
 * ids replaced by map names). The API shows the fleet's rules beside the local ones, read-only.
 */
@Tag("kernel")
class LocalRulesTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path state;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void aLocalRuleDropsOnItsEdgeOnlyAndTheFleetProgramStaysTheSame() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1);
                NetnsLab lab = NetnsLab.create();
                FleetFixture.SflowSink sink = new FleetFixture.SflowSink()) {
            String peer = lab.addNamespace("peer");
            String nsA = lab.addNamespace("a");
            String nsB = lab.addNamespace("b");
            VethPair toA = lab.addVeth(peer, "192.0.2.1/30", nsA, "192.0.2.2/30");
            VethPair toB = lab.addVeth(peer, "192.0.2.5/30", nsB, "192.0.2.6/30");
            List<PinLayout> layouts =
                    List.of(new PinLayout(toA.interfaceB(), nsA), new PinLayout(toB.interfaceB(), nsB));
            try (FleetEdge a = FleetEdge.start(
                            config(state.resolve("a"), "ams", "edge-a", etcd.endpoints(), sink.port(), 64),
                            XdpDataPlane.open(toA.interfaceB(), nsA, XdpMode.NATIVE, 64));
                    FleetEdge b = FleetEdge.start(
                            config(state.resolve("b"), "ams", "edge-b", etcd.endpoints(), sink.port(), 64),
                            XdpDataPlane.open(toB.interfaceB(), nsB, XdpMode.NATIVE, 64));
                    DatagramSocket onA = listen(nsA, 9005);
                    DatagramSocket onB = listen(nsB, 9005)) {
                publish(etcd.client(), 1, """
                        rules:
                          - {id: flood-ams, filter: udp and dst port 9001, action: drop, datacenters: [ams]}
                          - {id: flood-fra, filter: udp and dst port 9002, action: drop, datacenters: [fra]}
                        """);
                Eventually.await(
                        WAIT,
                        "version 1 on both edges",
                        () -> a.running().version().orElse(0) == 1
                                && b.running().version().orElse(0) == 1);

                Http api = new Http(a.apiAddress(), state.resolve("a"));
                Http.Response added = api.post("/rules", """
                        {"id": "local-9005", "filter": "udp and dst port 9005", "action": "drop", "comment": "edge a only"}""");
                assertThat(added.status()).as(added.body()).isEqualTo(201);
                assertThat(a.dataPlane().localProgramId()).isPositive();
                assertThat(b.dataPlane().localProgramId()).isZero();

                send(peer, "192.0.2.2", 9999, 1);
                send(peer, "192.0.2.6", 9999, 1);
                Thread.sleep(200);
                send(peer, "192.0.2.2", 9005, 20);
                send(peer, "192.0.2.6", 9005, 20);
                Thread.sleep(300);
                assertThat(drain(onA)).as("edge a drops with its local rule").isZero();
                assertThat(drain(onB)).as("edge b has no such rule").isEqualTo(20);
                assertThat(a.dataPlane().counters().rule("local-9005").packets())
                        .isEqualTo(20);

                byte[] codeA = TranslatedCode.of((int) a.running().programId());
                byte[] codeB = TranslatedCode.of((int) b.running().programId());
                assertThat(a.running().programId()).isNotEqualTo(b.running().programId());
                assertThat(codeA)
                        .as("the fleet's program on edge a (local rules) and edge b (none), map ids by name")
                        .isEqualTo(codeB);

                // the API: local rules, and the fleet's beside them, read-only
                JsonNode rules = api.get("/rules").json();
                assertThat(ids(rules.path("rules"))).containsExactly("local-9005");
                assertThat(rules.path("rules").get(0).path("packets").asLong()).isEqualTo(20);
                assertThat(rules.path("fleet").path("version").asLong()).isEqualTo(1);
                assertThat(rules.path("fleet").path("origin").asText()).isEqualTo("etcd");
                assertThat(ids(rules.path("fleet").path("rules"))).containsExactly("flood-ams", "flood-fra");
                JsonNode fleetRule = rules.path("fleet").path("rules").get(0);
                assertThat(fleetRule.path("read_only").asBoolean()).isTrue();
                assertThat(fleetRule.path("enabled").asBoolean()).isTrue();
                assertThat(fleetRule.path("filter").asText()).isEqualTo("udp and dst port 9001");
                assertThat(rules.path("fleet")
                                .path("rules")
                                .get(1)
                                .path("enabled")
                                .asBoolean())
                        .as("flood-fra in ams")
                        .isFalse();
                assertThat(api.get("/rules/flood-ams").json().path("read_only").asBoolean())
                        .isTrue();
                Http.Response delete = api.delete("/rules/flood-ams");
                assertThat(delete.status()).as(delete.body()).isEqualTo(409);
                assertThat(delete.json().path("error").asText())
                        .contains("fleet")
                        .contains("read-only");
                Http.Response clash =
                        api.post("/rules", "{\"id\": \"flood-fra\", \"filter\": \"udp\", \"action\": \"drop\"}");
                assertThat(clash.status()).as(clash.body()).isEqualTo(409);
                // The edge's rule guard: etcd (and SSH, and the API) cannot be cut off by a local rule.
                int etcdPort =
                        java.net.URI.create(etcd.endpoints().split(",")[0]).getPort();
                Http.Response cutEtcd = api.post(
                        "/rules",
                        "{\"id\": \"no-etcd\", \"filter\": \"tcp dst port " + etcdPort + "\", \"action\": \"drop\"}");
                assertThat(cutEtcd.status()).as(cutEtcd.body()).isEqualTo(400);
                assertThat(cutEtcd.json().path("error").asText())
                        .startsWith("refused: it matches traffic to the protected" + " endpoint tcp 127.0.0.1:"
                                + etcdPort + " (etcd)");

                JsonNode status = api.get("/status").json();
                assertThat(status.path("mode").asText()).isEqualTo("edge");
                assertThat(status.path("program_id").asLong())
                        .isEqualTo(a.running().programId());
                assertThat(status.path("fleet").path("version").asLong()).isEqualTo(1);
                assertThat(status.path("fleet").path("origin").asText()).isEqualTo("etcd");
                assertThat(status.path("fleet").path("applied").asText())
                        .isEqualTo(a.running().applied().orElseThrow().toString());
                assertThat(status.path("fleet").path("local_program_id").asLong())
                        .isEqualTo(a.dataPlane().localProgramId());
                assertThat(ids(status.path("local_rules"))).containsExactly("local-9005");
                assertThat(status.path("fleet").path("watch").path("connected").asBoolean())
                        .isTrue();
                assertThat(status.path("fleet")
                                .path("sflow")
                                .path("agent_address")
                                .asText())
                        .isEqualTo("127.0.0.1");
                String metrics = api.get("/metrics").body();
                assertThat(metrics)
                        .containsPattern("levee_rule_packets_total\\{origin=\"manual\",rule=\"local-9005\"} 20")
                        .contains("levee_rule_packets_total{origin=\"manual\",rule=\"flood-ams\"}");

                // a new fleet version swaps the main program of both; the local rule stays on a, and the programs stay
                // equal
                publish(etcd.client(), 2, """
                        rules:
                          - {id: flood-ams, filter: udp and dst port 9001, action: drop, datacenters: [ams]}
                        """);
                Eventually.await(
                        WAIT,
                        "version 2 on both edges",
                        () -> a.running().version().orElse(0) == 2
                                && b.running().version().orElse(0) == 2);
                send(peer, "192.0.2.2", 9005, 10);
                Thread.sleep(300);
                assertThat(drain(onA)).isZero();
                assertThat(TranslatedCode.of((int) a.running().programId()))
                        .isEqualTo(TranslatedCode.of((int) b.running().programId()));

                // removed: edge a lets it through again
                assertThat(api.delete("/rules/local-9005").status()).isEqualTo(200);
                assertThat(a.dataPlane().localProgramId()).isZero();
                send(peer, "192.0.2.2", 9005, 10);
                Thread.sleep(300);
                assertThat(drain(onA)).isEqualTo(10);
            } finally {
                layouts.forEach(Attachment::detach);
            }
        }
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(n -> ids.add(n.isTextual() ? n.asText() : n.path("id").asText()));
        return ids;
    }
}
