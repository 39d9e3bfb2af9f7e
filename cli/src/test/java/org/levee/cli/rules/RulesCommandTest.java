package org.levee.cli.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.rules.AgentJson;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.cli.CliRun;
import org.levee.config.ApiToken;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Rule;
import org.levee.testing.Requirements;

/** {@code levee rules …} against an agent in this JVM (its data plane records instead of attaching). */
class RulesCommandTest {

    @TempDir
    Path state;

    private RecordingDataPlane dataPlane;
    private Agent agent;
    private String api;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        dataPlane = new RecordingDataPlane();
        agent = Agent.start(TestAgents.config(state, "ams1"), dataPlane);
        api = "http://127.0.0.1:" + agent.apiAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    /** {@code levee rules ARGS --api API --token-file STATE/api-token}. */
    private CliRun rules(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "rules";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--api";
        all[args.length + 2] = api;
        all[args.length + 3] = "--token-file";
        all[args.length + 4] = state.resolve(ApiToken.FILE_NAME).toString();
        return CliRun.of(all);
    }

    @Test
    void addListShowAndRemove() throws Exception {
        CliRun add = rules(
                "add",
                "--id",
                "memcached",
                "--filter",
                "udp and src port 11211",
                "--dst",
                "203.0.113.0/24",
                "--dc",
                "ams1,fra1",
                "--ttl",
                "1h",
                "--action",
                "ratelimit",
                "--pps",
                "1000",
                "--burst",
                "2000",
                "--comment",
                "reflection");
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).isEqualTo("added memcached\n");
        Rule applied = dataPlane.current().rules().getFirst();
        assertThat(applied.match()).isEqualTo(new Match.Filter("udp and src port 11211"));
        assertThat(applied.action()).isEqualTo(new Action.RateLimit(1000, 2000));
        assertThat(applied.datacenters()).containsExactly("ams1", "fra1");
        assertThat(Duration.between(Instant.now(), applied.expires().orElseThrow()))
                .isBetween(Duration.ofMinutes(59), Duration.ofHours(1));

        dataPlane.setRuleCounters("memcached", 4242, 5_000_000);
        CliRun list = rules("list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        String[] lines = list.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0].split("\\s+"))
                .containsExactly("ID", "ORIGIN", "MATCH", "SCOPE", "ACTION", "PACKETS", "BYTES", "EXPIRES");
        assertThat(lines[1])
                .startsWith("memcached")
                .contains("manual")
                .contains("filter udp and src port 11211")
                .contains("203.0.113.0/24 in ams1,fra1")
                .contains("ratelimit 1000pps/2000")
                .contains("4242")
                .contains("5000000")
                .containsPattern("in 59m\\d+s$");

        CliRun json = rules("list", "--json");
        JsonNode listed = AgentJson.MAPPER.readTree(json.out());
        assertThat(listed.get("rules").get(0).get("packets").asLong()).isEqualTo(4242);

        CliRun show = rules("show", "memcached");
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out())
                .contains("id:       memcached")
                .contains("match:    filter udp and src port 11211")
                .contains("packets:  4242")
                .contains("comment:  reflection");

        CliRun rm = rules("rm", "memcached");
        assertThat(rm.exitCode()).as(rm.err()).isZero();
        assertThat(rm.out()).isEqualTo("removed memcached\n");
        assertThat(dataPlane.current().rules()).isEmpty();
        CliRun again = rules("rm", "memcached");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).isEqualTo("levee rules rm: no rule with id 'memcached'\n");
    }

    @Test
    void everyMatchSourceCanBeAdded() {
        assertThat(rules("add", "--dns", "*.example.com", "example.org", "--dns-ignore-case")
                        .exitCode())
                .isZero();
        assertThat(rules("add", "--cbpf", "1,6 0 0 65535", "--action", "pass").exitCode())
                .isZero();
        assertThat(rules("add", "--p0f", "4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0")
                        .exitCode())
                .isZero();
        assertThat(dataPlane.current().rules())
                .extracting(r -> r.match().field())
                .containsExactly("dns", "cbpf", "p0f");
        Match.Dns dns = (Match.Dns) dataPlane.current().rules().getFirst().match();
        assertThat(dns.patterns()).containsExactly("*.example.com", "example.org");
        assertThat(dns.ignoreCase()).isTrue();
        assertThat(rules("list").out())
                .contains("dns *.example.com example.org")
                .contains("cbpf 1 instructions")
                .contains("any destination in all data centers");
    }

    @Test
    void anUpstreamRequestIsStoredAndWhatBecameOfItIsPrinted(@TempDir Path otherState) throws Exception {
        // This agent has no upstream: section: the rule is kept, and the request is said to go nowhere.
        CliRun plain =
                rules("add", "--id", "hole", "--filter", "udp", "--dst", "203.0.113.7/32", "--upstream", "blackhole");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(plain.out()).isEqualTo("added hole\n");
        assertThat(plain.err()).startsWith("upstream blackhole unconfigured (requested): nothing is announced");
        assertThat(dataPlane.current().rules().getFirst().upstream()).contains(org.levee.rules.UpstreamMode.BLACKHOLE);
        assertThat(rules("show", "hole").out()).contains("upstream: blackhole unconfigured");

        CliRun bad = rules("add", "--filter", "udp", "--upstream", "bgp");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("levee rules add: upstream: unknown value \"bgp\" (flowspec or blackhole)\n");

        // With an upstream: section (its speaker unreachable here), FlowSpec refuses what it cannot express.
        var upstream = org.levee.upstream.UpstreamConfigLoader.parse("levee.yaml", """
                upstream:
                  speaker: {kind: gobgp, api: "unix:///nonexistent/levee-test.sock", as: 64512, router_id: 192.0.2.1}
                  neighbours: [{address: 192.0.2.2, peer_as: 64496}]
                """);
        try (Agent withUpstream =
                Agent.start(TestAgents.config(otherState, "ams1").withUpstream(upstream), new RecordingDataPlane())) {
            String otherApi = "http://127.0.0.1:" + withUpstream.apiAddress().getPort();
            CliRun ttl = CliRun.of(
                    "rules",
                    "add",
                    "--id",
                    "ttl",
                    "--filter",
                    "dst host 203.0.113.30 and ip[8] == 64",
                    "--upstream",
                    "flowspec",
                    "--api",
                    otherApi,
                    "--token-file",
                    otherState.resolve("api-token").toString());
            assertThat(ttl.exitCode()).as(ttl.err()).isZero();
            assertThat(ttl.out()).isEqualTo("added ttl\n");
            assertThat(ttl.err())
                    .startsWith("upstream flowspec refused (requested): FlowSpec: ")
                    .contains("ip[8]");
            CliRun show = CliRun.of(
                    "rules",
                    "show",
                    "ttl",
                    "--api",
                    otherApi,
                    "--token-file",
                    otherState.resolve("api-token").toString());
            assertThat(show.out()).contains("upstream: flowspec refused (requested): FlowSpec: ");
        }
    }

    @Test
    void badInputIsOneLineNamingTheFieldWithExitCode2() {
        CliRun badFilter = rules("add", "--filter", "udp and nonsense");
        assertThat(badFilter.exitCode()).isEqualTo(2);
        assertThat(badFilter.err())
                .startsWith("levee rules add: filter: ")
                .doesNotContain("Exception")
                .hasLineCount(1);

        CliRun badTtl = rules("add", "--filter", "udp", "--ttl", "forever");
        assertThat(badTtl.exitCode()).isEqualTo(2);
        assertThat(badTtl.err()).startsWith("levee rules add: ttl: 'forever' is not a duration");

        CliRun badRate = rules("add", "--filter", "udp", "--action", "ratelimit");
        assertThat(badRate.exitCode()).isEqualTo(2);
        assertThat(badRate.err()).contains("pps: missing");

        CliRun twoSources = rules("add", "--filter", "udp", "--p0f", "x");
        assertThat(twoSources.exitCode()).isEqualTo(2);
        assertThat(twoSources.err()).contains("mutually exclusive");

        CliRun noSource = rules("add");
        assertThat(noSource.exitCode()).isEqualTo(2);
        assertThat(noSource.err()).contains("Missing required argument");

        assertThat(dataPlane.applied())
                .allSatisfy(set -> assertThat(set.rules()).isEmpty());
    }

    @Test
    void anUnreachableAgentIsNamed() {
        agent.close();
        CliRun r = CliRun.of("rules", "list", "--api", api);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("levee rules list: cannot reach the agent at " + api
                        + " (is 'levee run' running? see --api)\n");
        CliRun badUrl = CliRun.of("rules", "list", "--api", "ftp://x");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.err()).contains("--api: 'ftp://x' is not an http:// or https:// URL");
    }

    @Test
    void aRuleTheGuardRefusesIsAddedOnlyWithForce() {
        CliRun refused = rules("add", "--id", "no-ssh", "--filter", "tcp dst port 22");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err())
                .startsWith(
                        "levee rules add: refused: it matches traffic to the protected endpoint" + " tcp *:22 (ssh): ")
                .contains("(levee rules add --force, or \"force\": true in the API's body)");
        assertThat(dataPlane.current().rules()).isEmpty();

        CliRun forced = rules("add", "--id", "no-ssh", "--filter", "tcp dst port 22", "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).isEqualTo("added no-ssh\n");
        assertThat(dataPlane.current().rules()).extracting(Rule::id).containsExactly("no-ssh");
        assertThat(rules("add", "--help").out())
                .contains("--force")
                .contains("protected")
                .contains("max_legitimate_share");
    }
}
