package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

class RuleCodecTest {

    @Test
    void readsEveryFieldOfYaml() {
        RuleSet set = RuleCodec.parse("r.yaml", """
                version: "2026-11-25.1"
                rules:
                  - id: memcached-amp
                    filter: udp and src port 11211
                    destinations: [198.51.100.0/24, "2001:db8::/32"]
                    datacenters: [ams, fra]
                    action: ratelimit
                    pps: 1000
                    burst: 50
                    expires: 2026-11-26T00:00:00Z
                    comment: amplification
                    origin: auto
                  - id: dns-flood
                    dns: ["*.example.com", "example.net"]
                    dns_ignore_case: true
                    action: drop
                  - {id: syn, p0f: "4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0", action: pass}
                  - {id: raw, cbpf: "1,6 0 0 1", action: drop}
                """);
        assertThat(set.version()).isEqualTo("2026-11-25.1");
        Rule first = set.rules().getFirst();
        assertThat(first.match()).isEqualTo(new Match.Filter("udp and src port 11211"));
        assertThat(first.destinations())
                .extracting(Prefix::toString)
                .containsExactly("198.51.100.0/24", "2001:db8::/32");
        assertThat(first.datacenters()).containsExactly("ams", "fra");
        assertThat(first.action()).isEqualTo(new Action.RateLimit(1000, 50));
        assertThat(first.expires()).contains(Instant.parse("2026-11-26T00:00:00Z"));
        assertThat(first.origin()).isEqualTo(Origin.AUTO);
        assertThat(first.comment()).isEqualTo("amplification");
        assertThat(set.rules().get(1).match()).isEqualTo(new Match.Dns(List.of("*.example.com", "example.net"), true));
        assertThat(set.rules().get(2).action()).isEqualTo(new Action.Pass());
        assertThat(set.rules().get(3).origin()).isEqualTo(Origin.MANUAL);
    }

    @Test
    void aFileWithoutVersionIsVersionedByItsContent() {
        RuleSet a = RuleCodec.parse("a.yaml", "rules: []\n");
        RuleSet b = RuleCodec.parse("b.yaml", "rules: [] # changed\n");
        assertThat(a.version()).startsWith("sha256-").isNotEqualTo(b.version());
        assertThat(RuleCodec.parse("c.yaml", "rules: []\n").version()).isEqualTo(a.version());
    }

    static Stream<Arguments> badRules() {
        return Stream.of(
                Arguments.of(
                        "{id: memcached-amp, filter: udp, action: dorp}",
                        "rules[0] (id memcached-amp): action: unknown value \"dorp\""),
                Arguments.of("{filter: udp, action: drop}", "rules[0]: id: missing"),
                Arguments.of(
                        "{id: Bad_Id, filter: udp, action: drop}",
                        "rules[0] (id Bad_Id): id: \"Bad_Id\" is not of the form"),
                Arguments.of("{id: x, action: drop}", "rules[0] (id x): match: missing"),
                Arguments.of(
                        "{id: x, filter: udp, cbpf: '1,6 0 0 1', action: drop}",
                        "rules[0] (id x): cbpf: only one match source"),
                Arguments.of("{id: x, filter: udp}", "rules[0] (id x): action: missing"),
                Arguments.of("{id: x, filter: udp, action: ratelimit}", "rules[0] (id x): pps: missing"),
                Arguments.of(
                        "{id: x, filter: udp, action: ratelimit, pps: -3}",
                        "rules[0] (id x): pps: must be a whole number"),
                Arguments.of(
                        "{id: x, filter: udp, action: ratelimit, pps: 10, burst: 1.5}",
                        "rules[0] (id x): burst: must be a whole number"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, pps: 10}",
                        "rules[0] (id x): pps: only applies to action ratelimit"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, destinations: [192.0.2.1/24]}",
                        "rules[0] (id x): destinations[0]: '192.0.2.1/24' has bits set after the prefix"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, destinations: [example.com]}",
                        "rules[0] (id x): destinations[0]: 'example.com' is not an IPv4 or IPv6 prefix"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, destinations: [10.0.0.0/33]}",
                        "rules[0] (id x): destinations[0]: prefix length 33 is outside 0..32"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, datacenters: ams}",
                        "rules[0] (id x): datacenters: must be a list"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, expires: tomorrow}",
                        "rules[0] (id x): expires: \"tomorrow\" is not an RFC 3339 time"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, origin: robot}",
                        "rules[0] (id x): origin: unknown value \"robot\""),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, colour: red}", "rules[0] (id x): colour: unknown field"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, dns_ignore_case: true}",
                        "rules[0] (id x): dns_ignore_case: only applies to a dns match"),
                Arguments.of("{id: x, dns: [], action: drop}", "rules[0] (id x): dns: needs at least one pattern"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, upstream: bgp}",
                        "rules[0] (id x): upstream: unknown value \"bgp\" (flowspec or blackhole)"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, upstream: [flowspec]}",
                        "rules[0] (id x): upstream: must be a single value, not a list"),
                Arguments.of(
                        "{id: x, filter: udp, action: drop, cbpf_description: udp}",
                        "rules[0] (id x): cbpf_description: only applies to a cbpf match"),
                Arguments.of("{id: x, filter: '', action: drop}", "rules[0] (id x): filter: is empty"),
                Arguments.of("just-a-string", "rules[0]: must be a mapping"));
    }

    @ParameterizedTest
    @MethodSource("badRules")
    void everyBadFieldIsNamedWithItsRule(String rule, String message) {
        assertThatThrownBy(() -> RuleCodec.parse("r.yaml", "rules:\n  - " + rule + "\n"))
                .isInstanceOf(RuleSetException.class)
                .hasMessageContaining("r.yaml: " + message);
    }

    @Test
    void reportsEveryProblemAtOnceAndAppliesNothing() {
        RuleSetException e = org.junit.jupiter.api.Assertions.assertThrows(
                RuleSetException.class, () -> RuleCodec.parse("r.yaml", """
                rules:
                  - {id: ok, filter: udp, action: drop}
                  - {id: ok, filter: tcp, action: drop}
                  - {id: two, filter: udp, action: dorp}
                  - {id: three, action: pass}
                """));
        assertThat(e.problems())
                .containsExactly(
                        "rules[1] (id ok): id: 'ok' is used by an earlier rule",
                        "rules[2] (id two): action: unknown value \"dorp\" (drop, pass or ratelimit)",
                        "rules[3] (id three): match: missing: give exactly one of filter, cbpf, dns, p0f");
    }

    @Test
    void badFilesSayWhere() {
        assertThatThrownBy(() -> RuleCodec.parse("r.yaml", "rules:\n  - id: x\n   bad: ["))
                .hasMessageContaining("r.yaml: not valid YAML at line");
        assertThatThrownBy(() -> RuleCodec.parse("r.json", "{\"rules\": [}"))
                .hasMessageContaining("r.json: not valid JSON at line 1");
        assertThatThrownBy(() -> RuleCodec.parse("r.yaml", "- a\n- b\n"))
                .hasMessageContaining("must be a mapping with a 'rules:' list");
        assertThatThrownBy(() -> RuleCodec.parse("r.yaml", "rule: []\n"))
                .hasMessageContaining("rule: unknown field")
                .hasMessageContaining("rules: missing");
    }

    @Test
    void bytecodeIsParsedWhenReadAndABadOneIsNamedWithItsRule() {
        RuleSet set =
                RuleCodec.parse("r.yaml", "rules:\n  - {id: raw, cbpf: \" 2,6 0 0 1, 6 0 0 0 \", action: drop}\n");
        assertThat(set.rules().getFirst().match())
                .isEqualTo(new Match.Cbpf(CbpfProgram.of(CbpfInstruction.retK(1), CbpfInstruction.retK(0)), ""));
        assertThat(((Match.Cbpf) set.rules().getFirst().match()).bytecode()).isEqualTo("2,6 0 0 1,6 0 0 0");
        assertThatThrownBy(
                        () -> RuleCodec.parse("r.yaml", "rules:\n  - {id: badcode, cbpf: '2,6 0 0 1', action: drop}\n"))
                .isInstanceOf(RuleSetException.class)
                .hasMessageStartingWith("r.yaml: rules[0] (id badcode): cbpf: ");
    }

    @Test
    void aRuleReadAloneNamesTheFieldOnly() {
        RuleSetException e = org.junit.jupiter.api.Assertions.assertThrows(
                RuleSetException.class,
                () -> RuleCodec.readRule(
                        "rule",
                        json("{\"id\": \"x\", \"filter\": \"udp\", \"action\": \"dorp\", \"pps\": 5, \"colour\": 1}")));
        assertThat(e.problems())
                .containsExactlyInAnyOrder(
                        "colour: unknown field", "action: unknown value \"dorp\" (drop, pass or ratelimit)");
        assertThat(e.getMessage()).startsWith("rule: ");
        assertThatThrownBy(() -> RuleCodec.readRule("rule", json("[1]")))
                .hasMessage("rule: must be a mapping of fields (id, filter, action, …)");
        assertThat(RuleCodec.readRule(
                        "rule", json("{\"id\": \"x\", \"dns\": \"*.example.com\", \"action\": \"pass\"}")))
                .isEqualTo(new Rule(
                        "x",
                        new Match.Dns(List.of("*.example.com"), false),
                        List.of(),
                        List.of(),
                        new Action.Pass(),
                        Optional.empty(),
                        "",
                        Origin.MANUAL));
    }

    @Test
    void aWrittenRuleHasEveryFieldOfTheApiAndStateFile() {
        Rule rule = new Rule(
                "r",
                Match.Cbpf.parse("1,6 0 0 1"),
                List.of(Prefix.parse("2001:db8::/32")),
                List.of("ams"),
                new Action.RateLimit(10, 20),
                Optional.of(Instant.parse("2026-11-26T00:00:00Z")),
                "",
                Origin.AUTO);
        assertThat(RuleCodec.writeRule(rule).toString())
                .isEqualTo("{\"id\":\"r\",\"cbpf\":\"1,6 0 0 1\","
                        + "\"destinations\":[\"2001:db8::/32\"],\"datacenters\":[\"ams\"],\"action\":\"ratelimit\",\"pps\":10,"
                        + "\"burst\":20,\"expires\":\"2026-11-26T00:00:00Z\",\"comment\":\"\",\"origin\":\"auto\"}");
        Rule drop = new Rule(
                "d",
                new Match.Filter("udp"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "c",
                Origin.MANUAL);
        assertThat(RuleCodec.writeRule(drop).toString())
                .isEqualTo("{\"id\":\"d\",\"filter\":\"udp\",\"destinations\":[],"
                        + "\"datacenters\":[],\"action\":\"drop\",\"comment\":\"c\",\"origin\":\"manual\"}");
        assertThat(RuleCodec.readRule("rule", RuleCodec.writeRule(rule))).isEqualTo(rule);
    }

    @Test
    void theUpstreamRequestAndTheDescriptionOfClassicBpfAreWrittenOnlyWhenSetAndReadBack() {
        Rule plain = new Rule(
                "p",
                Match.Cbpf.parse("1,6 0 0 1"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.AUTO);
        assertThat(RuleCodec.writeRule(plain).has("upstream")).isFalse();
        assertThat(RuleCodec.writeRule(plain).has("cbpf_description")).isFalse();
        Rule described = new Rule(
                "p",
                new Match.Cbpf(((Match.Cbpf) plain.match()).program(), "ip and udp"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.AUTO,
                Optional.of(UpstreamMode.BLACKHOLE));
        var json = RuleCodec.writeRule(described);
        assertThat(json.get("cbpf_description").asText()).isEqualTo("ip and udp");
        assertThat(json.get("upstream").asText()).isEqualTo("blackhole");
        assertThat(RuleCodec.readRule("rule", json)).isEqualTo(described);
        // A rule file of an earlier version reads as before: no upstream request, no description.
        RuleSet old = RuleCodec.parse("r.yaml", "rules:\n  - {id: a, cbpf: '1,6 0 0 1', action: drop}\n");
        assertThat(old.rules().getFirst())
                .isEqualTo(new Rule(
                        "a",
                        Match.Cbpf.parse("1,6 0 0 1"),
                        List.of(),
                        List.of(),
                        new Action.Drop(),
                        Optional.empty(),
                        "",
                        Origin.MANUAL,
                        Optional.empty()));
        assertThat(RuleCodec.parse("r.yaml", "rules:\n  - {id: a, filter: udp, action: drop, upstream: flowspec}\n")
                        .rules()
                        .getFirst()
                        .upstream())
                .contains(UpstreamMode.FLOWSPEC);
        // The request is part of the rule: it changes the version.
        assertThat(RuleCodec.version(List.of(described)))
                .isNotEqualTo(RuleCodec.version(List.of(described.withUpstream(Optional.of(UpstreamMode.FLOWSPEC)))));
    }

    @Test
    void equalRulesHaveEqualVersions() {
        List<Rule> rules = RuleCodec.parse("r.yaml", "rules:\n  - {id: a, filter: udp, action: drop}\n")
                .rules();
        assertThat(RuleCodec.version(rules))
                .startsWith("sha256-")
                .hasSize(19)
                .isEqualTo(RuleCodec.version(List.copyOf(rules)))
                .isNotEqualTo(RuleCodec.version(List.of(rules.getFirst().withId("b"))));
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static IntStream seeds() {
        return IntStream.range(0, 25);
    }

    /** Random rule sets written as YAML and as JSON parse back to the same rules. */
    @ParameterizedTest
    @MethodSource("seeds")
    void randomRuleSetsRoundTripThroughYamlAndJson(int seed) {
        Random random = new Random(seed);
        List<Rule> rules = new ArrayList<>();
        int count = random.nextInt(8);
        for (int i = 0; i < count; i++) {
            Match match = switch (random.nextInt(3)) {
                case 0 -> new Match.Filter("udp and dst port " + random.nextInt(65536));
                case 1 -> Match.Cbpf.parse("1,6 0 0 " + random.nextInt(2));
                default -> new Match.Dns(List.of("*.example" + random.nextInt(9) + ".com"), random.nextBoolean());
            };
            List<Prefix> destinations = random.nextBoolean()
                    ? List.of()
                    : List.of(Prefix.parse("198.51.100." + (random.nextInt(64) * 4) + "/30"));
            List<String> dcs = random.nextBoolean() ? List.of() : List.of("dc" + random.nextInt(5));
            Action action = switch (random.nextInt(3)) {
                case 0 -> new Action.Drop();
                case 1 -> new Action.Pass();
                default -> new Action.RateLimit(1 + random.nextInt(100_000), 1 + random.nextInt(1000));
            };
            Optional<Instant> expires = random.nextBoolean()
                    ? Optional.empty()
                    : Optional.of(Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000)));
            rules.add(new Rule(
                    "rule-" + i + "-" + random.nextInt(1000),
                    match,
                    destinations,
                    dcs,
                    action,
                    expires,
                    random.nextBoolean() ? "" : "comment " + i,
                    random.nextBoolean() ? Origin.AUTO : Origin.MANUAL));
        }
        RuleSet expected = new RuleSet("v" + seed, rules);
        assertThat(RuleCodec.parse("r.yaml", RuleCodec.writeYaml(expected))).isEqualTo(expected);
        assertThat(RuleCodec.parse("r.json", RuleCodec.writeJson(expected))).isEqualTo(expected);
    }

    // Crashes the rule-file fuzz families found (RuleFileFuzzTest), with their minimized inputs.

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `n:\nrules:\n  - id: s\n    filter: 8\n    action:`            | rules[0] (id s): action: unknown value ""
            `rules:\n  - {id: s, filter: udp, action: null}`               | rules[0] (id s): action: missing
            `rules:\n  - {id: s, filter: null, action: drop}`               | rules[0] (id s): filter: is empty
            `rules:\n  - {id: s, p0f: ~, action: drop}`                     | rules[0] (id s): p0f: is empty
            `rules:\n  - {id: s, dns: '', action: drop}`                    | rules[0] (id s): dns: is empty
            """)
    void nullValuesAreProblemsNotNullPointerExceptions(String yaml, String problem) {
        // Were: NullPointerException from the Rule constructor (an empty action, a null match).
        assertThatThrownBy(() -> RuleCodec.parse("r.yaml", yaml.translateEscapes()))
                .isInstanceOf(RuleSetException.class)
                .hasMessageContaining(problem);
    }

    @Test
    void anUnpairedSurrogateIsRefusedBecauseItCannotBeWrittenBack() {
        // Was: accepted, and read back as a different comment from the file written (UTF-8 has no such character).
        String json = "{\"rules\":[{\"id\":\"s\",\"filter\":\"tcp\",\"action\":\"drop\",\"comment\":\"\\ud8e00\"}]}";
        assertThatThrownBy(() -> RuleCodec.parse("r.json", json))
                .isInstanceOf(RuleSetException.class)
                .hasMessage(
                        "r.json: rules[0] (id s): comment: character 0 is an unpaired surrogate (\\ud8e0), not Unicode");
        assertThatThrownBy(() ->
                        RuleCodec.parse("r.json", json.replace("\"comment\"", "\"datacenters\":[\"\\udc00\"],\"c\"")))
                .isInstanceOf(RuleSetException.class)
                .hasMessageContaining("datacenters[0]: character 0 is an unpaired surrogate");
    }

    @Test
    void aKeyGivenTwiceIsRefusedWithItsLineAndColumn() {
        // Was: the last one kept ("action": null), then a NullPointerException.
        assertThatThrownBy(() -> RuleCodec.parse(
                        "r.json", "{\"rules\":[{\"id\":\"s\",\"filter\":\"t\",\"action\":\"\",\"action\":null}]}"))
                .isInstanceOf(RuleSetException.class)
                .hasMessageStartingWith("r.json: not valid JSON at line 1, column ")
                .hasMessageContaining("Duplicate field 'action'");
        assertThatThrownBy(() -> RuleCodec.parse(
                        "r.yaml", "rules:\n  - id: s\n    filter: udp\n    action: drop\n    action: pass\n"))
                .isInstanceOf(RuleSetException.class)
                .hasMessageStartingWith("r.yaml: not valid YAML at line 5, column ")
                .hasMessageContaining("Duplicate field 'action'");
    }

    @Test
    void aliasesAreRefusedInsteadOfReadAsTheirNames() {
        // Was: "destinations: *web" read as the string "web", "action: *limit" as "limit", "comment: *why" as "why".
        String yaml = """
                rules:
                  - {id: a, filter: tcp, destinations: &web [198.51.100.10/32], action: drop, comment: &why shared}
                  - {id: b, filter: udp, destinations: *web, action: drop}
                """;
        assertThatThrownBy(() -> RuleCodec.parse("r.yaml", yaml))
                .isInstanceOf(RuleSetException.class)
                .hasMessageStartingWith("r.yaml: not valid YAML at line 3, column ")
                .hasMessageContaining("an alias (*web) is not supported here");
        assertThatThrownBy(() -> RuleCodec.parse(
                        "r.yaml",
                        yaml.replace("*web", "[192.0.2.1]")
                                .replace("action: drop}\n", "comment: *why, action: drop}\n")))
                .isInstanceOf(RuleSetException.class)
                .hasMessageContaining("an alias (*why) is not supported here");
    }

    @Test
    void oddFieldNamesAreQuoted() {
        // Was "r.json:  : unknown field …": a blank name, invisible in the message.
        assertThatThrownBy(() -> RuleCodec.parse("r.json", "{\" \":\"\",\"rules\":[]}"))
                .isInstanceOf(RuleSetException.class)
                .hasMessage("r.json: \" \": unknown field (expected 'rules' and optionally 'version')");
        assertThatThrownBy(() -> RuleCodec.parse(
                        "r.json", "{\"rules\":[{\"id\":\"a\",\"filter\":\"udp\",\"action\":\"drop\",\"a\\nb\":1}]}"))
                .isInstanceOf(RuleSetException.class)
                .hasMessage("r.json: rules[0] (id a): \"a\\nb\": unknown field");
    }

    @Test
    void aSecondDocumentIsRefusedNotIgnored() {
        assertThatThrownBy(() ->
                        RuleCodec.parse("r.yaml", "rules: []\n---\nrules: [{id: a, filter: udp, action: drop}]\n"))
                .isInstanceOf(RuleSetException.class)
                .hasMessageStartingWith("r.yaml: not valid YAML at line ");
        assertThatThrownBy(() -> RuleCodec.parse("r.json", "{\"rules\": []} {\"rules\": []}"))
                .isInstanceOf(RuleSetException.class)
                .hasMessageStartingWith("r.json: not valid JSON at line 1, column ");
    }
}
