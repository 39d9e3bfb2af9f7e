package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.controller.testing.Edge;
import org.levee.controller.testing.Fleet;
import org.levee.controller.testing.Http;
import org.levee.detector.Detector;
import org.levee.detector.synth.FrameBuilder;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.StoredRule;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * The rule guard in the fleet, with a real etcd: rules posted to a controller's API are refused
 * when they would cut off etcd or SSH, or too much of the legitimate traffic its detector sees
 * from the edges, unless forced; the controller's detector never writes a rule the guard refuses.
 */
class GuardTest {
    static final IpAddress WEB = IpAddress.parse("203.0.113.10");
    static final IpAddress DNS = IpAddress.parse("203.0.113.53");
    static final String[] DATACENTERS = {"ams1", "fra1"};
    static final String[] AGENTS = {"192.0.2.1", "192.0.2.2"};

    Fleet fleet;
    Controller controller;
    Edge[] edges = new Edge[2];

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
        for (int i = 0; i < 2; i++) {
            fleet.register(DATACENTERS[i], "edge-" + i, AGENTS[i]);
        }
        controller = fleet.start(Fleet.config("ctl-a"));
        for (int i = 0; i < 2; i++) {
            edges[i] = fleet.edge(AGENTS[i]);
        }
        Eventually.await(Duration.ofSeconds(10), "ctl-a leads", controller::isLeader);
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private List<String> storedIds() {
        return fleet.rules().stream().map(StoredRule::id).toList();
    }

    @Test
    void manualRulesCuttingOffEtcdOrSshAreRefusedUnlessForced() {
        Http api = Http.to(controller.apiAddress(), fleet.stateDir("ctl-a"));
        Http.Answer ssh =
                api.post("/rules", "{\"id\": \"no-ssh\", \"filter\": \"tcp dst port 22\", \"action\": \"drop\"}");
        assertThat(ssh.status()).isEqualTo(400);
        assertThat(ssh.json().get("error").asText())
                .startsWith("refused: it matches traffic to the protected endpoint tcp *:22 (ssh): ")
                .endsWith("; if that is what you want, add it with force (levee rules add --force, or \"force\": true"
                        + " in the API's body)");

        URI etcd = fleet.etcd().settings().endpoints().getFirst();
        Http.Answer cutEtcd = api.post(
                "/rules",
                "{\"id\": \"no-etcd\", \"filter\": \"tcp dst port " + etcd.getPort() + "\", \"action\": \"drop\"}");
        assertThat(cutEtcd.status()).isEqualTo(400);
        assertThat(cutEtcd.json().get("error").asText())
                .startsWith("refused: it matches traffic to the protected endpoint" + " tcp " + etcd.getHost() + ":"
                        + etcd.getPort() + " (etcd)");
        assertThat(storedIds()).isEmpty();

        Http.Answer forced = api.post(
                "/rules",
                "{\"id\": \"no-ssh\", \"filter\": \"tcp dst port 22\", \"action\": \"drop\"," + " \"force\": true}");
        assertThat(forced.status()).as(forced.text()).isEqualTo(201);
        assertThat(api.post(
                                "/rules",
                                "{\"id\": \"one-source\", \"filter\": \"src host 198.51.100.7 and tcp port 22\","
                                        + " \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        assertThat(storedIds()).containsExactlyInAnyOrder("no-ssh", "one-source");
        Eventually.await(
                Duration.ofSeconds(10),
                () -> "the forced rule published: " + fleet.manifest(),
                () -> fleet.manifest().map(m -> m.rules().contains("no-ssh")).orElse(false));
    }

    @Test
    void aManualRuleMatchingTooMuchOfTheEdgesLegitimateTrafficIsRefusedWithTheShare() {
        // Web clients of one server and DNS queries to another, from both edges: 10 % of it is UDP.
        fleet.play(List.of(
                () -> edges[0].play(
                        List.of(
                                new Edge.Flow("web", Traffic.webClients(WEB), 1_800, 10),
                                new Edge.Flow("dns", Traffic.dnsQueries(DNS), 200, 10)),
                        Duration.ofSeconds(2),
                        new SplittableRandom(1)),
                () -> edges[1].play(
                        List.of(
                                new Edge.Flow("web", Traffic.webClients(WEB), 1_800, 10),
                                new Edge.Flow("dns", Traffic.dnsQueries(DNS), 200, 10)),
                        Duration.ofSeconds(2),
                        new SplittableRandom(2))));
        Eventually.await(
                Duration.ofSeconds(10),
                "the detector saw the samples",
                () -> controller.attacks().isEmpty()
                        && Http.to(controller.apiAddress())
                                        .get("/status")
                                        .json()
                                        .get("detector")
                                        .get("samples")
                                        .asLong()
                                >= 700);

        Http api = Http.to(controller.apiAddress(), fleet.stateDir("ctl-a"));
        Http.Answer refused = api.post("/rules", "{\"id\": \"all-udp\", \"filter\": \"udp\", \"action\": \"drop\"}");
        assertThat(refused.status()).isEqualTo(400);
        // 10 % of the packets are UDP; the detector keeps a uniform subset of about 150 samples, so
        // the measured share lies within three standard deviations (±7 points) of it.
        assertThat(refused.json().get("error").asText())
                .containsPattern("^refused: it matches ([3-9]|1[0-7])\\.[0-9]{2} % of the"
                        + " legitimate traffic the detector saw in the last 60 s outside the rule's destinations \\([0-9]+ of [0-9]+"
                        + " samples, about [0-9]+ of [0-9]+ packets, e\\.g\\. to 203\\.0\\.113\\.53\\); the limit is 1\\.00 %; if that is"
                        + " what you want, add it with force");
        assertThat(api.post(
                                "/rules",
                                "{\"id\": \"dns-udp\", \"filter\": \"udp\", \"destinations\": [\"203.0.113.53/32\"],"
                                        + " \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        assertThat(api.post("/rules", "{\"id\": \"ntp\", \"filter\": \"udp port 123\", \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        assertThat(storedIds()).containsExactlyInAnyOrder("dns-udp", "ntp");
    }

    /** SYNs to port 22 from machines that look like any Linux client (random addresses, ports, TTLs, windows). */
    static PacketFactory linuxSynsToSsh(IpAddress victim) {
        byte[] options = {2, 4, 5, (byte) 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7};
        return r -> new FrameBuilder()
                .addresses(Traffic.randomSource(r, 4), victim)
                .ttl(r.nextInt(40, 65))
                .ipId(r.nextInt(65536))
                .dontFragment(true)
                .tcp(r.nextInt(1024, 65536), 22, 0x02, r.nextInt(1024, 65536), options, new byte[0])
                .build();
    }

    @Test
    void theDetectorNeverWritesARuleThatWouldCutOffSshAndSaysWhy() {
        fleet.playInBackground(() -> fleet.play(List.of(
                () -> edges[0].play(
                        List.of(new Edge.Flow("ssh syn flood", linuxSynsToSsh(WEB), 15_000, 100)),
                        Duration.ofSeconds(4),
                        new SplittableRandom(3)),
                () -> edges[1].play(
                        List.of(new Edge.Flow("ssh syn flood", linuxSynsToSsh(WEB), 15_000, 100)),
                        Duration.ofSeconds(4),
                        new SplittableRandom(4)))));

        Eventually.await(
                Duration.ofSeconds(15),
                () -> "a refused rule in the attack's evidence: " + controller.attacks(),
                () -> controller.attacks().stream()
                        .anyMatch(a -> a.evidence().note().contains("the guard refused")));
        Detector.AttackState attack = controller.attacks().getFirst();
        assertThat(attack.rule()).isEmpty();
        assertThat(attack.evidence().note())
                .containsPattern("the guard refused rule " + controller.ruleIdPrefix()
                        + "1 \\(protected_endpoint\\): refused: it matches traffic to the protected endpoint tcp \\*:22 \\(ssh\\): .*"
                        + " → 203\\.0\\.113\\.10:22");
        JsonNode shown = Http.to(controller.apiAddress())
                .get("/status")
                .json()
                .get("active_attacks")
                .get(0);
        assertThat(shown.get("rule").isNull()).isTrue();
        assertThat(shown.get("evidence").get("note").asText()).contains("the guard refused rule");
        // The decision is counted when the detection thread hands it over, which may follow the attack's state.
        Eventually.await(
                Duration.ofSeconds(5),
                "the refusal counted",
                () -> Http.to(controller.apiAddress())
                        .get("/metrics")
                        .text()
                        .contains("levee_controller_detector_decisions_total{kind=\"rule_refused\"} 1.0"));
        assertThat(Http.to(controller.apiAddress()).get("/metrics").text())
                .contains("levee_controller_detector_decisions_total{kind=\"rule_refused\"} 1.0")
                .contains("levee_controller_detector_decisions_total{kind=\"rule_added\"} 0.0");
        assertThat(storedIds()).isEmpty();
    }
}
