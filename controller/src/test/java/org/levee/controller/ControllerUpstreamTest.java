package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.config.ControllerConfigLoader;
import org.levee.controller.testing.Fleet;
import org.levee.controller.testing.Http;
import org.levee.netns.LabProcess;
import org.levee.netns.NetnsLab;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;
import org.levee.upstream.Route;
import org.levee.upstream.Translation;
import org.levee.upstream.Upstream;
import org.levee.upstream.UpstreamConfig;
import org.levee.upstream.UpstreamRequest;
import org.levee.upstream.gobgp.GobgpSpeaker;

/**
 * Two controllers on one etcd, each driving a gobgpd of its own (namespaces "ctl-a" and "ctl-b"),
 * both peering with a third gobgpd, the upstream router: only the leader's speaker announces the
 * fleet's routes; the follower withdraws what its speaker still held from an earlier run; a
 * leader that resigns withdraws its routes and the new leader announces them; a rule removed
 * through the new leader is withdrawn everywhere.
 */
@Tag("kernel")
class ControllerUpstreamTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.command("gobgpd");
        Requirements.command("gobgp");
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void onlyTheLeadersSpeakerAnnouncesAndTheRoutesFollowTheLeadership() throws Exception {
        Path dir = Files.createTempDirectory("levee-ctl-bgp");
        try (NetnsLab lab = NetnsLab.create();
                Fleet fleet = new Fleet()) {
            String nsA = lab.addNamespace("ctla");
            String nsB = lab.addNamespace("ctlb");
            String router = lab.addNamespace("router");
            lab.addVeth(nsA, "192.0.2.1/30", router, "192.0.2.2/30");
            lab.addVeth(nsB, "198.51.100.1/30", router, "198.51.100.2/30");
            StringBuilder toml = new StringBuilder("""
                    [global.config]
                      as = 64496
                      router-id = "192.0.2.2"
                    """);
            for (String peer : List.of("192.0.2.1", "198.51.100.1")) {
                toml.append("[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"")
                        .append(peer)
                        .append("\"\n    peer-as = 64512\n");
                for (String f : List.of("ipv4-flowspec", "ipv6-flowspec", "ipv4-unicast", "ipv6-unicast")) {
                    toml.append("  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"")
                            .append(f)
                            .append("\"\n");
                }
            }
            Path routerToml = dir.resolve("router.toml");
            Files.writeString(routerToml, toml);
            Path routerApi = dir.resolve("router.sock");
            start(
                    lab,
                    "router-gobgpd",
                    router,
                    dir.resolve("router.log"),
                    List.of(
                            "gobgpd",
                            "-f",
                            routerToml.toString(),
                            "--api-hosts",
                            "unix://" + routerApi,
                            "--pprof-disable",
                            "-p"),
                    routerApi);
            Path apiA = dir.resolve("a.sock");
            Path apiB = dir.resolve("b.sock");
            start(
                    lab,
                    "gobgpd-a",
                    nsA,
                    dir.resolve("a.log"),
                    List.of("gobgpd", "--api-hosts", "unix://" + apiA, "--pprof-disable", "-p"),
                    apiA);
            start(
                    lab,
                    "gobgpd-b",
                    nsB,
                    dir.resolve("b.log"),
                    List.of("gobgpd", "--api-hosts", "unix://" + apiB, "--pprof-disable", "-p"),
                    apiB);
            UpstreamConfig upstreamA = upstream(apiA, "192.0.2.1", "192.0.2.2");
            UpstreamConfig upstreamB = upstream(apiB, "198.51.100.1", "198.51.100.2");
            GobgpSpeaker speakerA = GobgpSpeaker.of(upstreamA);
            GobgpSpeaker speakerB = GobgpSpeaker.of(upstreamB);
            Supplier<Set<String>> routerView = () -> view(routerApi);

            // Left on B's speaker by an earlier run of ctl-b: as a follower, ctl-b withdraws it.
            Rule memcached = new Rule(
                    "memcached",
                    new Match.Filter("udp and src port 11211 and dst host 203.0.113.10"),
                    List.of(),
                    List.of(),
                    new Action.Drop(),
                    Optional.empty(),
                    "",
                    Origin.MANUAL);
            Route memcachedRoute = ((Translation.Translated) new Upstream(upstreamA)
                            .decide(UpstreamRequest.of(
                                    memcached.withUpstream(Optional.of(org.levee.rules.UpstreamMode.FLOWSPEC))))
                            .orElseThrow()
                            .translation())
                    .routes()
                    .getFirst();
            speakerB.configure();
            speakerB.announce(memcachedRoute);
            assertThat(speakerB.announced()).containsExactly(memcachedRoute);

            Controller a = fleet.start(Fleet.config("ctl-a").withUpstream(Optional.of(upstreamA)));
            Eventually.await(Duration.ofSeconds(10), "ctl-a leads", a::isLeader);
            Controller b = fleet.start(Fleet.config("ctl-b").withUpstream(Optional.of(upstreamB)));
            Eventually.await(
                    CONVERGE,
                    "ctl-b, a follower, withdraws its leftover",
                    () -> speakerB.announced().isEmpty());
            awaitView(routerView, Set.of(), "after the follower withdrew its leftover");
            assertThat(speakerA.announced())
                    .as("the leader's speaker, no rule yet")
                    .isEmpty();

            Http.Answer added = Http.to(a.apiAddress(), fleet.stateDir("ctl-a")).post("/rules", """
                    {"id": "memcached", "filter": "udp and src port 11211 and dst host 203.0.113.10", "action": "drop",
                     "upstream": "flowspec"}
                    """);
            assertThat(added.status()).as(added.text()).isEqualTo(201);
            Set<String> expected = Set.of(memcachedRoute.toString());
            Eventually.await(
                    CONVERGE,
                    "ctl-a's speaker announces the rule",
                    () -> speakerA.announced().equals(Set.of(memcachedRoute)));
            awaitView(routerView, expected, "with the rule announced by the leader");
            assertThat(speakerB.announced()).as("the follower's speaker").isEmpty();
            JsonNode statusB = Http.to(b.apiAddress()).get("/status").json().path("upstream");
            assertThat(statusB.path("active").asBoolean()).isFalse();
            assertThat(statusB.path("standby_reason").asText()).contains("only the leading controller announces");
            assertThat(Http.to(a.apiAddress())
                            .get("/status")
                            .json()
                            .path("upstream")
                            .path("routes")
                            .path("ipv4-flowspec")
                            .asInt())
                    .isEqualTo(1);
            assertThat(Http.to(a.apiAddress())
                            .get("/rules/memcached")
                            .json()
                            .path("upstream_status")
                            .path("phase")
                            .asText())
                    .isEqualTo("announced");
            assertThat(Http.to(b.apiAddress())
                            .get("/rules/memcached")
                            .json()
                            .path("upstream_status")
                            .path("phase")
                            .asText())
                    .isEqualTo("standby");

            // FlowSpec cannot say "TTL 64": refused with the reason, by the leader and the follower alike.
            Http.Answer ttl = Http.to(a.apiAddress(), fleet.stateDir("ctl-a")).post("/rules", """
                    {"id": "ttl", "filter": "dst host 203.0.113.30 and ip[8] == 64", "action": "drop", "upstream": "flowspec"}
                    """);
            assertThat(ttl.status()).as(ttl.text()).isEqualTo(201);
            assertThat(ttl.json().path("upstream_status").path("phase").asText())
                    .isEqualTo("refused");
            assertThat(ttl.json().path("upstream_status").path("detail").asText())
                    .contains("ip[8]");
            Eventually.await(
                    CONVERGE,
                    "the refusal in ctl-a's status",
                    () -> Http.to(a.apiAddress())
                            .get("/status")
                            .json()
                            .path("upstream")
                            .path("refused")
                            .findValuesAsText("rule")
                            .contains("ttl"));
            assertThat(Http.to(a.apiAddress(), fleet.stateDir("ctl-a"))
                            .delete("/rules/ttl")
                            .status())
                    .isEqualTo(200);

            // ctl-a resigns: its speaker withdraws, ctl-b's announces.
            a.close();
            Eventually.await(Duration.ofSeconds(10), "ctl-b leads", b::isLeader);
            Eventually.await(
                    CONVERGE,
                    "ctl-b's speaker announces the rule",
                    () -> speakerB.announced().equals(Set.of(memcachedRoute)));
            assertThat(speakerA.announced()).as("the resigned leader's speaker").isEmpty();
            awaitView(routerView, expected, "after the leadership moved");

            // Removed through the new leader: gone upstream.
            assertThat(Http.to(b.apiAddress(), fleet.stateDir("ctl-b"))
                            .delete("/rules/memcached")
                            .status())
                    .isEqualTo(200);
            awaitView(routerView, Set.of(), "after the rule was removed");
            assertThat(speakerA.announced()).isEmpty();
            assertThat(speakerB.announced()).isEmpty();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The section as an operator writes it, read by the controller's configuration loader. */
    private static UpstreamConfig upstream(Path api, String self, String router) {
        ControllerConfig c = ControllerConfigLoader.parse("controller.yaml", """
                upstream:
                  speaker: {kind: gobgp, api: "unix://%s", as: 64512, router_id: %s}
                  neighbours: [{address: %s, peer_as: 64496}]
                  sync_interval: 1s
                """.formatted(api, self, router));
        return c.upstream().orElseThrow();
    }

    private static LabProcess start(
            NetnsLab lab, String name, String namespace, Path log, List<String> command, Path api) throws Exception {
        Files.deleteIfExists(api);
        LabProcess p = lab.spawn(name, namespace, log, command);
        Instant deadline = Instant.now().plusSeconds(20);
        while (!Files.exists(api)) {
            assertThat(p.alive()).as("%s is running: %s", name, p.tail(20)).isTrue();
            assertThat(Instant.now()).as("%s opened its API socket", name).isBefore(deadline);
            Thread.sleep(50);
        }
        return p;
    }

    /** The FlowSpec and blackhole routes the router received, one line each (blackholes without their next hop). */
    private static Set<String> view(Path api) {
        Set<String> out = new TreeSet<>();
        for (String family : GobgpSpeaker.FAMILIES) {
            String json = run(List.of("gobgp", "--target", "unix://" + api, "-j", "global", "rib", "-a", family));
            try {
                for (Route r : GobgpSpeaker.parseRib(family, json.isBlank() ? null : JSON.readTree(json), true)) {
                    out.add(
                            r instanceof Route.Blackhole
                                    ? r.toString().replaceAll(" next-hop \\S+", "")
                                    : r.toString());
                }
            } catch (java.io.IOException e) {
                throw new AssertionError("gobgp printed no JSON: " + json, e);
            }
        }
        return out;
    }

    private static void awaitView(Supplier<Set<String>> view, Set<String> expected, String when)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(CONVERGE);
        Set<String> last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = view.get();
                if (last.equals(expected)) {
                    return;
                }
            } catch (RuntimeException | AssertionError e) {
                last = Set.of("(" + e.getMessage() + ")");
            }
            Thread.sleep(250);
        }
        assertThat(last).as("the router's routes " + when).isEqualTo(expected);
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + ": " + out);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
