package org.levee.agent.upstream;

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
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.ConfigLoader;
import org.levee.agent.rules.RuleStore;
import org.levee.agent.testing.Http;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.netns.LabProcess;
import org.levee.netns.NetnsLab;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.StoredRule;
import org.levee.testing.Requirements;
import org.levee.upstream.Route;
import org.levee.upstream.gobgp.GobgpSpeaker;

/**
 * The agent with an {@code upstream:} section drives a real gobgpd (in namespace "levee") that
 * peers over a veth pair with a second gobgpd (in namespace "upstream"), the upstream router:
 * rules added and removed through the agent's HTTP API appear in and vanish from the upstream
 * router's table exactly; a FlowSpec request the match cannot be expressed in is refused with its
 * reason in the API and announces nothing; an agent that restarts after a rule was removed while
 * it was down withdraws that rule's route and keeps the others; a speaker that restarts empty gets
 * its routes back; an automatic rule goes upstream only when its attack exceeds the share of the
 * link.
 */
@Tag("kernel")
class AgentUpstreamTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEMCACHED = """
            {"id": "memcached", "filter": "udp and src port 11211 and dst host 203.0.113.10", "action": "drop",
             "upstream": "flowspec"}
            """;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.command("gobgpd");
        Requirements.command("gobgp");
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void theUpstreamRouterHoldsExactlyTheRoutesOfTheAgentsRulesThroughRemovalAndRestarts() throws Exception {
        Path dir = Files.createTempDirectory("levee-agent-bgp");
        Path state = Files.createDirectories(dir.resolve("state"));
        try (NetnsLab lab = NetnsLab.create()) {
            String leveeNs = lab.addNamespace("levee");
            String upstreamNs = lab.addNamespace("upstream");
            lab.addVeth(leveeNs, "192.0.2.1/24", upstreamNs, "192.0.2.2/24");
            Path upstreamToml = dir.resolve("upstream.toml");
            StringBuilder toml = new StringBuilder("""
                    [global.config]
                      as = 64496
                      router-id = "192.0.2.2"
                    [[neighbors]]
                      [neighbors.config]
                        neighbor-address = "192.0.2.1"
                        peer-as = 64512
                    """);
            for (String f : List.of("ipv4-flowspec", "ipv6-flowspec", "ipv4-unicast", "ipv6-unicast")) {
                toml.append("  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"")
                        .append(f)
                        .append("\"\n");
            }
            Files.writeString(upstreamToml, toml);
            Path upstreamApi = dir.resolve("upstream.sock");
            Path leveeApi = dir.resolve("levee.sock");
            List<String> leveeCommand = List.of("gobgpd", "--api-hosts", "unix://" + leveeApi, "--pprof-disable", "-p");
            start(
                    lab,
                    "upstream-gobgpd",
                    upstreamNs,
                    dir.resolve("upstream.log"),
                    List.of(
                            "gobgpd",
                            "-f",
                            upstreamToml.toString(),
                            "--api-hosts",
                            "unix://" + upstreamApi,
                            "--pprof-disable",
                            "-p"),
                    upstreamApi);
            LabProcess speaker = start(lab, "levee-gobgpd", leveeNs, dir.resolve("levee.log"), leveeCommand, leveeApi);

            // The section as an operator writes it, read by the agent's configuration loader.
            AgentConfig parsed = ConfigLoader.parse("levee.yaml", """
                    upstream:
                      speaker: {kind: gobgp, api: "unix://%s", as: 64512, router_id: 192.0.2.1}
                      neighbours: [{address: 192.0.2.2, peer_as: 64496}]
                      link_bps: 10000000000
                      share: 0.8
                      automatic: flowspec
                      sync_interval: 1s
                    """.formatted(leveeApi));
            assertThat(parsed.upstream()).isPresent();
            AgentConfig config = TestAgents.config(state, "ams1").withUpstream(parsed.upstream());
            Supplier<Set<String>> upstreamView = () -> view(upstreamApi);
            Set<String> memcached;
            Set<String> ntp;

            Agent agent = Agent.start(config, new RecordingDataPlane());
            try {
                Http http = new Http(agent.apiAddress(), state);
                Http.Response added = http.post("/rules", MEMCACHED);
                assertThat(added.status()).as(added.body()).isEqualTo(201);
                assertThat(added.json().get("upstream").asText()).isEqualTo("flowspec");
                memcached = routes(added.json());
                assertThat(memcached)
                        .singleElement()
                        .asString()
                        .startsWith("ipv4-flowspec")
                        .contains("203.0.113.10/32")
                        .contains("11211")
                        .contains("discard");
                awaitView(upstreamView, memcached, "after the rule was added through the API");
                awaitPhase(http, "memcached", "announced");

                // FlowSpec cannot say "TTL 64": the request is refused, with the reason, and nothing is announced.
                Http.Response ttl = http.post("/rules", """
                        {"id": "ttl", "filter": "dst host 203.0.113.30 and ip[8] == 64", "action": "drop", "upstream": "flowspec"}
                        """);
                assertThat(ttl.status()).as(ttl.body()).isEqualTo(201);
                JsonNode refused = ttl.json().get("upstream_status");
                assertThat(refused.get("phase").asText()).isEqualTo("refused");
                assertThat(refused.get("detail").asText()).isNotBlank();
                assertThat(refused.get("routes")).isEmpty();
                Http.Response hole = http.post("/rules", """
                        {"id": "ntp", "filter": "udp and src port 123", "destinations": ["203.0.113.20/32"], "action": "drop",
                         "upstream": "blackhole"}
                        """);
                assertThat(hole.status()).as(hole.body()).isEqualTo(201);
                ntp = routes(hole.json());
                assertThat(ntp)
                        .singleElement()
                        .asString()
                        .startsWith("ipv4-unicast 203.0.113.20/32")
                        .contains("65535:666");
                awaitView(upstreamView, union(memcached, ntp), "with a blackhole beside the FlowSpec route");
                awaitStatus(
                        http,
                        s -> s.path("refused").findValuesAsText("rule").contains("ttl")
                                && s.path("speaker_up").asBoolean()
                                && s.path("routes").path("ipv4-flowspec").asInt() == 1
                                && s.path("routes").path("ipv4-unicast").asInt() == 1,
                        "the refusal and both routes in GET /status");

                // Automatic: an attack over 0.8 × 10 Gbit/s goes upstream as FlowSpec, a smaller one does not.
                agent.rules().add(autoRule("big", "203.0.113.40"), Optional.of(evidence("203.0.113.40/32", 9e9)));
                agent.rules().add(autoRule("small", "203.0.113.41"), Optional.of(evidence("203.0.113.41/32", 1e9)));
                JsonNode big = http.get("/rules/big").json();
                assertThat(big.path("upstream_status").path("basis").asText()).isEqualTo("automatic");
                assertThat(big.path("upstream_status").path("why").asText()).contains("9 Gbit/s");
                assertThat(http.get("/rules/small").json().has("upstream_status"))
                        .isFalse();
                Set<String> bigRoutes = routes(big);
                assertThat(bigRoutes).singleElement().asString().contains("203.0.113.40/32");
                awaitView(upstreamView, union(memcached, ntp, bigRoutes), "with the automatic rule");

                // Removed: gone upstream.
                assertThat(http.delete("/rules/memcached").status()).isEqualTo(200);
                awaitView(upstreamView, union(ntp, bigRoutes), "after the rule was removed");
                assertThat(http.post("/rules", MEMCACHED).status()).isEqualTo(201);
                awaitView(upstreamView, union(memcached, ntp, bigRoutes), "after the rule was added again");
                awaitStatus(
                        http,
                        s -> s.path("routes").path("ipv4-flowspec").asInt() == 2,
                        "both FlowSpec routes in GET /status");
                assertThat(http.get("/metrics").body())
                        .contains("levee_upstream_speaker_up 1.0")
                        .contains("levee_upstream_routes{family=\"ipv4-flowspec\"} 2.0")
                        .contains("levee_upstream_routes{family=\"ipv4-unicast\"} 1.0")
                        .contains("levee_upstream_refused_rules 1.0")
                        .containsPattern("levee_upstream_withdrawals_total [1-9]");
            } finally {
                agent.close();
            }

            // While the agent is down its routes stay; the memcached rule is removed from its state.
            assertThat(view(upstreamApi)).isEqualTo(union(memcached, ntp, bigRoutesOf(state, config)));
            RuleStore store = new RuleStore(state);
            store.save(store.load().stream()
                    .filter(r -> !r.id().equals("memcached"))
                    .toList());
            Set<String> kept = union(ntp, bigRoutesOf(state, config));
            agent = Agent.start(config, new RecordingDataPlane());
            try {
                Http http = new Http(agent.apiAddress(), state);
                awaitView(upstreamView, kept, "after the agent restarted without the rule");
                awaitPhase(http, "ntp", "announced");

                // The speaker restarts empty and unconfigured: the keeper configures it and announces again.
                speaker.stop();
                awaitView(upstreamView, Set.of(), "while the speaker is down");
                awaitStatus(
                        http,
                        s -> !s.path("speaker_up").asBoolean()
                                && !s.path("last_error").isNull(),
                        "the speaker's failure in GET /status");
                assertThat(http.get("/rules/ntp")
                                .json()
                                .path("upstream_status")
                                .path("phase")
                                .asText())
                        .isEqualTo("failed");
                speaker = start(lab, "levee-gobgpd-2", leveeNs, dir.resolve("levee2.log"), leveeCommand, leveeApi);
                awaitView(upstreamView, kept, "after the speaker restarted");
                awaitStatus(http, s -> s.path("speaker_up").asBoolean(), "the speaker up again in GET /status");

                // Every rule removed: nothing left upstream.
                for (StoredRule r : agent.rules().list()) {
                    agent.rules().remove(r.id());
                }
                awaitView(upstreamView, Set.of(), "after every rule was removed");
            } finally {
                agent.close();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The routes of the automatic rule "big" as the policy makes them (the agent is down when asked). */
    private static Set<String> bigRoutesOf(Path state, AgentConfig config) {
        StoredRule big = new RuleStore(state)
                .load().stream().filter(r -> r.id().equals("big")).findFirst().orElseThrow();
        Set<String> out = new TreeSet<>();
        new org.levee.upstream.Upstream(config.upstream().orElseThrow())
                .desired(List.of(org.levee.upstream.UpstreamRequest.of(big)))
                .routes()
                .forEach(r -> out.add(line(r)));
        return out;
    }

    private static Rule autoRule(String id, String host) {
        return new Rule(
                id,
                new Match.Filter("ip and dst host " + host + " and udp and src port 53"),
                List.of(Prefix.parse(host + "/32")),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.AUTO);
    }

    private static AttackEvidence evidence(String destination, double bitsPerSecond) {
        return new AttackEvidence(
                destination,
                "udp",
                "threshold",
                bitsPerSecond / 8 / 1000,
                bitsPerSecond,
                100_000L,
                null,
                0,
                "udp and src port 53",
                1.0,
                0.0,
                1000,
                List.of(),
                null,
                "test");
    }

    /** The routes the API says a rule asks for, one line each as {@link #line} writes them. */
    private static Set<String> routes(JsonNode rule) {
        Set<String> out = new TreeSet<>();
        rule.path("upstream_status")
                .path("routes")
                .forEach(r -> out.add(
                        r.asText().startsWith("ipv4-flowspec") || r.asText().startsWith("ipv6-flowspec")
                                ? r.asText()
                                : blackholeLine(r.asText())));
        return out;
    }

    /** A blackhole line without its next hop, which an eBGP session rewrites. */
    private static String blackholeLine(String route) {
        return route.replaceAll(" next-hop \\S+", "");
    }

    private static String line(Route r) {
        return r instanceof Route.Blackhole ? blackholeLine(r.toString()) : r.toString();
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> out = new TreeSet<>();
        for (Set<String> s : sets) {
            out.addAll(s);
        }
        return out;
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

    /** What the upstream router received from Levee, one line per route ({@link #line}). */
    private static Set<String> view(Path api) {
        Set<String> out = new TreeSet<>();
        for (String family : GobgpSpeaker.FAMILIES) {
            String json = run(List.of("gobgp", "--target", "unix://" + api, "-j", "global", "rib", "-a", family));
            try {
                for (Route r : GobgpSpeaker.parseRib(family, json.isBlank() ? null : JSON.readTree(json), true)) {
                    out.add(line(r));
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
        assertThat(last).as("the upstream router's routes " + when).isEqualTo(expected);
    }

    private static void awaitPhase(Http http, String id, String phase) throws InterruptedException {
        Instant deadline = Instant.now().plus(CONVERGE);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            last = http.get("/rules/" + id)
                    .json()
                    .path("upstream_status")
                    .path("phase")
                    .asText();
            if (last.equals(phase)) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(last).as("rule %s's upstream phase", id).isEqualTo(phase);
    }

    private static void awaitStatus(Http http, java.util.function.Predicate<JsonNode> ok, String what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(CONVERGE);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            last = http.get("/status").json().path("upstream");
            if (ok.test(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + what + ", got " + last);
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
