package org.levee.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.agent.Agent;
import org.levee.agent.testing.Http;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.dataplane.Counters;
import org.levee.rules.Match;
import org.levee.rules.MatchCompiler;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilters;
import org.levee.testing.Requirements;

class ApiTest {

    @TempDir
    Path state;

    private RecordingDataPlane dataPlane;
    private Agent agent;
    private Http http;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        dataPlane = new RecordingDataPlane();
        agent = Agent.start(TestAgents.config(state, "ams1"), dataPlane);
        http = new Http(agent.apiAddress(), state);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void addListShowAndDeleteARule() {
        Http.Response added = http.post("/rules", """
                {"id": "memcached", "filter": "udp and src port 11211", "destinations": ["203.0.113.0/24"],
                 "datacenters": ["ams1", "fra1"], "action": "ratelimit", "pps": 1000, "burst": 2000,
                 "ttl": "1h", "comment": "reflection"}
                """);
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.contentType()).isEqualTo("application/json");
        JsonNode rule = added.json();
        assertThat(rule.get("id").asText()).isEqualTo("memcached");
        assertThat(rule.get("origin").asText()).isEqualTo("manual");
        assertThat(rule.get("pps").asLong()).isEqualTo(1000);
        assertThat(rule.get("burst").asLong()).isEqualTo(2000);
        Instant expires = Instant.parse(rule.get("expires").asText());
        assertThat(Duration.between(Instant.now(), expires)).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(60));
        assertThat(dataPlane.current().rules()).extracting(Rule::id).containsExactly("memcached");

        dataPlane.setRuleCounters("memcached", 1234, 567_890);
        JsonNode list = http.get("/rules").json();
        assertThat(list.get("rules")).hasSize(1);
        assertThat(list.get("version").asText()).isEqualTo(dataPlane.current().version());
        JsonNode listed = list.get("rules").get(0);
        assertThat(listed.get("packets").asLong()).isEqualTo(1234);
        assertThat(listed.get("bytes").asLong()).isEqualTo(567_890);
        assertThat(listed.get("destinations").get(0).asText()).isEqualTo("203.0.113.0/24");
        assertThat(listed.get("datacenters")).extracting(JsonNode::asText).containsExactly("ams1", "fra1");

        Http.Response shown = http.get("/rules/memcached");
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().get("filter").asText()).isEqualTo("udp and src port 11211");

        Http.Response deleted = http.delete("/rules/memcached");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asText()).isEqualTo("memcached");
        assertThat(http.get("/rules").json().get("rules")).isEmpty();
        assertThat(dataPlane.current().rules()).isEmpty();
        assertThat(http.get("/rules/memcached").status()).isEqualTo(404);
        assertThat(http.delete("/rules/memcached").status()).isEqualTo(404);
    }

    @Test
    void aRuleWithoutIdGetsOneAndEveryMatchSourceIsAccepted() {
        JsonNode dns = http.post("/rules", "{\"dns\": [\"*.example.com\"], \"action\": \"drop\"}")
                .json();
        assertThat(dns.get("id").asText()).matches("manual-[0-9a-f]{8}");
        assertThat(http.post("/rules", "{\"cbpf\": \"1,6 0 0 65535\", \"action\": \"pass\"}")
                        .status())
                .isEqualTo(201);
        assertThat(http.post(
                                "/rules",
                                "{\"p0f\": \"4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0\", \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        assertThat(dataPlane.current().rules()).hasSize(3);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "not json|body: not valid JSON",
                "[1, 2]|body: must be a JSON object",
                "{\"action\": \"drop\"}|match: missing",
                "{\"filter\": \"udp\"}|action: missing",
                "{\"filter\": \"udp\", \"action\": \"dorp\"}|action: unknown value \"dorp\"",
                "{\"filter\": \"udp and nonsense\", \"action\": \"drop\"}|filter: ",
                "{\"filter\": \"udp\", \"dns\": [\"a.b\"], \"action\": \"drop\"}|dns: only one match source",
                "{\"filter\": \"udp\", \"action\": \"ratelimit\"}|pps: missing",
                "{\"filter\": \"udp\", \"action\": \"ratelimit\", \"pps\": -5}|pps: must be a whole number",
                "{\"filter\": \"udp\", \"action\": \"drop\", \"destinations\": [\"203.0.113.1/24\"]}|destinations[0]: ",
                "{\"filter\": \"udp\", \"action\": \"drop\", \"ttl\": \"soon\"}|ttl: 'soon' is not a duration",
                "{\"filter\": \"udp\", \"action\": \"drop\", \"ttl\": \"1h\", \"expires\": \"2030-01-01T00:00:00Z\"}|ttl: give either",
                "{\"filter\": \"udp\", \"action\": \"drop\", \"expires\": \"tomorrow\"}|expires: \"tomorrow\" is not an RFC 3339",
                "{\"filter\": \"udp\", \"action\": \"drop\", \"id\": \"Bad Id\"}|id: ",
                "{\"filter\": \"udp\", \"action\": \"drop\", \"colour\": \"red\"}|colour: unknown field",
                "{\"filter\": \"udp\", \"action\": \"drop\", \"origin\": \"auto\"}|origin: rules added through the API are manual",
            })
    void aBadRuleIsRefusedWith400NamingTheField(String body, String expected) {
        Http.Response r = http.post("/rules", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).contains(expected);
        assertThat(dataPlane.applied())
                .allSatisfy(set -> assertThat(set.rules()).isEmpty());
        assertThat(http.get("/rules").json().get("rules")).isEmpty();
    }

    @Test
    void rulesSurviveARestartAndAreAppliedBeforeTheApiAnswers() {
        assertThat(http.post("/rules", "{\"id\": \"keep\", \"filter\": \"udp\", \"action\": \"drop\", \"ttl\": \"1h\"}")
                        .status())
                .isEqualTo(201);
        agent.close();
        assertThat(dataPlane.closed()).isTrue();
        assertThat(dataPlane.detached()).as("the program stays attached").isFalse();

        RecordingDataPlane next = new RecordingDataPlane();
        agent = Agent.start(TestAgents.config(state, "ams1"), next);
        assertThat(next.applied().getFirst().rules()).extracting(Rule::id).containsExactly("keep");
        JsonNode rules = new Http(agent.apiAddress()).get("/rules").json().get("rules");
        assertThat(rules).hasSize(1);
        assertThat(rules.get(0).get("id").asText()).isEqualTo("keep");
        assertThat(rules.get(0).has("expires")).isTrue();
    }

    /** The rule's filter is compiled by the check before it is applied, and only then: the apply reuses it. */
    @Test
    void aRuleAddedThroughTheApiIsCompiledOnceAndTheOthersAreNotRecompiled(@TempDir Path otherState) {
        agent.close();
        List<Match> compiled = java.util.Collections.synchronizedList(new ArrayList<>());
        RecordingDataPlane counting = new RecordingDataPlane(new RuleFilters(match -> {
            compiled.add(match);
            return MatchCompiler.STANDARD.compile(match);
        }));
        agent = Agent.start(TestAgents.config(otherState, "ams1"), counting);
        http = new Http(agent.apiAddress(), otherState);
        assertThat(http.post("/rules", "{\"id\": \"a\", \"filter\": \"udp\", \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        assertThat(compiled).containsExactly(new Match.Filter("udp"));
        assertThat(http.post(
                                "/rules",
                                "{\"id\": \"b\", \"dns\": [\"*.example.com\"], \"action\": \"drop\","
                                        + " \"destinations\": [\"203.0.113.0/24\"]}")
                        .status())
                .isEqualTo(201);
        assertThat(compiled)
                .containsExactly(
                        new Match.Filter("udp"),
                        new Match.Dns(List.of("*.example.com"), false),
                        new Match.Filter("dst net 203.0.113.0/24"));
        assertThat(http.post("/rules", "{\"id\": \"c\", \"filter\": \"icmp\", \"action\": \"pass\"}")
                        .status())
                .isEqualTo(201);
        assertThat(compiled).hasSize(4).endsWith(new Match.Filter("icmp"));
        assertThat(counting.applied()).hasSize(4); // the restored (empty) set, then one per rule
        assertThat(counting.current().rules()).extracting(Rule::id).containsExactly("a", "b", "c");
        assertThat(http.delete("/rules/a").status()).isEqualTo(200);
        assertThat(compiled).as("removing a rule compiles nothing").hasSize(4);
    }

    @Test
    void aTakenIdIsAConflict() {
        assertThat(http.post("/rules", "{\"id\": \"x\", \"filter\": \"udp\", \"action\": \"drop\"}")
                        .status())
                .isEqualTo(201);
        Http.Response again = http.post("/rules", "{\"id\": \"x\", \"filter\": \"tcp\", \"action\": \"drop\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("error").asText()).contains("id: a rule with id 'x' exists already");
    }

    @Test
    void unknownRoutesAndMethodsAreRefused() {
        assertThat(http.get("/nope").status()).isEqualTo(404);
        Http.Response r = http.delete("/status");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.json().get("error").asText()).contains("allowed: GET");
        assertThat(http.post("/metrics", "").status()).isEqualTo(405);
    }

    @Test
    void statusNamesInterfaceProgramDatacenterSamplingAndCounters() {
        dataPlane.setCounters(new Counters(1000, 700, 250, 50, 10, 1, Map.of()));
        http.post("/rules", "{\"id\": \"a\", \"filter\": \"udp\", \"action\": \"drop\"}");
        JsonNode s = http.get("/status").json();
        assertThat(s.get("interface").asText()).isEqualTo("rec0");
        assertThat(s.get("program_id").asLong())
                .isEqualTo(dataPlane.attachment().programId());
        assertThat(s.get("datacenter").asText()).isEqualTo("ams1");
        assertThat(s.get("sample_rate").asInt()).isEqualTo(1);
        assertThat(s.get("sampling").get("mode").asText()).isEqualTo("fixed");
        assertThat(s.get("counters").get("seen").asLong()).isEqualTo(1000);
        assertThat(s.get("counters").get("dropped").asLong()).isEqualTo(250);
        assertThat(s.get("counters").get("samples_lost").asLong()).isEqualTo(1);
        assertThat(s.get("rules").get("manual").asInt()).isEqualTo(1);
        assertThat(s.get("rule_set_version").asText())
                .isEqualTo(dataPlane.current().version());
        assertThat(s.get("active_attacks").isArray()).isTrue();
    }

    @Test
    void metricsAreValidPrometheusTextWithTheNodesNumbers() throws Exception {
        Requirements.command("promtool");
        dataPlane.setCounters(new Counters(1000, 700, 250, 50, 10, 1, Map.of()));
        http.post("/rules", "{\"id\": \"memcached\", \"filter\": \"udp\", \"action\": \"drop\"}");
        dataPlane.setRuleCounters("memcached", 250, 125_000);
        Http.Response r = http.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain").contains("version=0.0.4");
        assertThat(r.body())
                .contains("levee_dropped_packets_total 250.0")
                .contains("levee_passed_packets_total 700.0")
                .contains("levee_sampled_packets_total 10.0")
                .contains("levee_samples_lost_total 1.0")
                .contains("levee_rule_packets_total{origin=\"manual\",rule=\"memcached\"} 250.0")
                .contains("levee_rule_bytes_total{origin=\"manual\",rule=\"memcached\"} 125000.0")
                .contains("levee_attacks_active 0.0")
                .contains("levee_detector_decisions_total{kind=\"rule_added\"} 0.0")
                .contains("levee_samples_undecodable_total 0.0")
                .contains("levee_detection_failures_total 0.0")
                .contains("jvm_memory_used_bytes");
        assertThat(promtoolCheck(r.body())).isEmpty();
        // The check itself can fail: a cut line and a counter without its suffix are caught.
        assertThat(promtoolCheck(r.body() + "levee_broken{rule=\"x\" 1\n")).startsWith("exit 1");
        assertThat(promtoolCheck("# HELP x a\n# TYPE x counter\nx 1\n")).startsWith("exit 3");
    }

    /**
     * What promtool says about {@code text}: empty when it parses and passes promtool's lint
     * (exit 0). Exit 1 is a parse error, exit 3 lint findings (missing help, counter suffixes).
     */
    static String promtoolCheck(String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("promtool", "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + out;
    }
}
