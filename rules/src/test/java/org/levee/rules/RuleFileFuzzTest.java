package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.testing.PrivateNetwork;
import org.levee.rules.fuzz.KeyNames;
import org.levee.rules.fuzz.Seeds;
import org.levee.testing.Requirements;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes rule files, YAML and JSON, through the one codec ({@link RuleCodec#parse}) and what
 * loading a file does next: compiling every rule's filters ({@link RuleFilters#compile}). A bad
 * file must be a {@link RuleSetException} naming the file, in which <em>every</em> problem starts
 * with where it is: the parser's line and column, or the rule and field
 * ({@code rules[3] (id x): action: …}). An accepted file must write back (YAML and JSON) to text
 * that reads back equal. Seeds: {@code src/test/resources/org/levee/rules/fuzz/rule-files/}.
 */
@Tag("fuzz")
class RuleFileFuzzTest {
    static final String SEEDS = "/org/levee/rules/fuzz/rule-files";

    static final String FIELD = KeyNames.PATTERN;
    /** What one problem of a rule file must start with. */
    static final Pattern PROBLEM = Pattern.compile(
            "(not valid (YAML|JSON) at line \\d+, column \\d+: \\S"
                    + "|the file must be a mapping with a 'rules:' list"
                    + "|version: \\S|rules: \\S|" + FIELD + ": unknown field \\("
                    + "|rules\\[\\d+\\]( \\(id .*\\))?: ([a-z0-9_]+(\\[\\d+\\])?: \\S|" + FIELD
                    + ": unknown field$|must be a mapping))",
            Pattern.DOTALL);

    static final List<String> WORDS = List.of(
            "version:",
            "rules:",
            "- ",
            "id:",
            "filter:",
            "cbpf:",
            "dns:",
            "p0f:",
            "dns_ignore_case:",
            "destinations:",
            "datacenters:",
            "action:",
            "drop",
            "pass",
            "ratelimit",
            "pps:",
            "burst:",
            "expires:",
            "comment:",
            "origin:",
            "manual",
            "auto",
            "true",
            "false",
            "null",
            "~",
            "{",
            "}",
            "[",
            "]",
            ",",
            ": ",
            "\n",
            "\n  ",
            "\n    - ",
            "&a ",
            "*a",
            "<<: *a",
            "---",
            "...",
            "|",
            ">-",
            "!!str ",
            "!!binary ",
            "!!int ",
            "'",
            "\"",
            "#",
            "\"version\"",
            "\"rules\"",
            "\"id\"",
            "\"filter\"",
            "\"action\"",
            "\"drop\"",
            "\"pps\"",
            "\"destinations\"",
            "\"expires\"",
            "udp",
            "host",
            "dst port 53",
            "198.51.100.0/24",
            "2001:db8::/32",
            "0.0.0.0/0",
            "::/0",
            "2026-11-26T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "*.example.com",
            "1,6 0 0 1");

    /** One compiler for the run, as the agent keeps one: its cache sees every accepted file. */
    private static final RuleFilters FILTERS = new RuleFilters();

    @BeforeAll
    static void requirements() {
        Requirements.library(Libpcap.SONAME);
        Requirements.root(); // for the network namespace the filters compile in
        // Class loading and initialisation (SnakeYAML, libpcap, the signature generators) once, before
        // the clock of the first input starts: on a loaded machine they took more than the 10-s limit.
        // On a thread of its own: load() moves its thread into a private network, and the JUnit thread
        // must keep the machine's for the tests after this class.
        PrivateNetwork.run(() -> {
            Seeds.files(SEEDS, ".yaml").forEach(text -> load("warm-up.yaml", text));
            Seeds.files(SEEDS, ".json").forEach(text -> load("warm-up.json", text));
        });
    }

    /**
     * Parses {@code text} as file {@code source}, compiles it and checks the round trips; throws
     * the file's {@link RuleSetException}, or an AssertionError when a problem does not say where.
     */
    static RuleSet load(String source, String text) {
        PrivateNetwork.enter(); // libpcap resolves host names: fuzzed ones must not reach a DNS server
        try {
            RuleSet rules = RuleCodec.parse(source, text);
            FILTERS.compile(source, rules);
            for (String written : List.of(RuleCodec.writeYaml(rules), RuleCodec.writeJson(rules))) {
                RuleSet again = RuleCodec.parse(written.startsWith("{") ? "again.json" : "again.yaml", written);
                if (!again.equals(rules)) {
                    throw new AssertionError("the rule set does not read back equal from\n" + written + "\nread: "
                            + again + "\nwas: " + rules);
                }
            }
            return rules;
        } catch (RuleSetException e) {
            throw checked(e);
        }
    }

    /** {@code e} when each of its problems says where it is. */
    static RuleSetException checked(RuleSetException e) {
        List<String> unplaced = e.problems().stream()
                .filter(p -> !PROBLEM.matcher(p).lookingAt())
                .toList();
        if (e.problems().isEmpty() || !unplaced.isEmpty()) {
            throw new AssertionError("problems that do not say where: " + unplaced, e);
        }
        return e;
    }

    static FuzzFamily<String> family(String name, String source, String suffix) {
        return FuzzFamily.text(name)
                .seeds(Seeds.files(SEEDS, suffix))
                .dictionary(WORDS)
                .target(text -> load(source, text))
                .rejects(RuleSetException.class, "^" + Pattern.quote(source) + ": \\S")
                .nativeCode()
                .build();
    }

    @Test
    void yamlRuleFiles() {
        FuzzRunner.run(family("rule files (YAML)", "fuzz.yaml", ".yaml")).assertNoCrashes();
    }

    @Test
    void jsonRuleFiles() {
        FuzzRunner.run(family("rule files (JSON)", "fuzz.json", ".json")).assertNoCrashes();
    }

    @Test
    void everySeedIsRealisticAndCoversEveryField() {
        List<RuleSet> sets = new java.util.ArrayList<>();
        PrivateNetwork.run(() -> Stream.of(".yaml", ".json")
                .flatMap(s -> Seeds.files(SEEDS, s).stream())
                .forEach(text -> sets.add(load("seed", text))));
        String all = sets.stream()
                .flatMap(s -> s.rules().stream())
                .map(r -> RuleCodec.writeRule(r).toString())
                .collect(Collectors.joining("\n"));
        for (String field : List.of(
                "\"filter\"",
                "\"cbpf\"",
                "\"dns\"",
                "\"p0f\"",
                "\"dns_ignore_case\"",
                "\"pps\"",
                "\"burst\"",
                "\"expires\"",
                "\"ratelimit\"",
                "\"pass\"",
                "\"drop\"",
                "\"auto\"",
                "\"manual\"")) {
            assertThat(all).as("a seed with " + field).contains(field);
        }
        assertThat(all)
                .containsPattern("\"destinations\":\\[\"")
                .containsPattern("\"datacenters\":\\[\"")
                .containsPattern("\"comment\":\"[^\"]");
    }

    @Test
    void aliasBombsAreRuleSetExceptions() {
        // A billion laughs: SnakeYAML's limit on aliases of collections must surface as the documented error.
        StringBuilder text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            text.append("a").append(i).append(": &a").append(i).append(" [");
            text.append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1))))
                    .append("]\n");
        }
        text.append("rules: []\n");
        assertThatThrownBy(() -> PrivateNetwork.run(() -> load("bomb.yaml", text.toString())))
                .isInstanceOf(RuleSetException.class)
                .hasMessageMatching("(?s)bomb\\.yaml: not valid YAML at line \\d+, column \\d+: .*alias.*");
    }

    @Test
    void deepNestingIsARuleSetException() {
        // Found by the 1,000,000-input run: 56,078 '[' took SnakeYAML more than a second (its scanner's
        // work per token grows with the depth) before Jackson's limit of 1,000 levels; now 64.
        String yaml = "rules: " + "[".repeat(56_078);
        assertThatThrownBy(() -> PrivateNetwork.run(() -> load("deep.yaml", yaml)))
                .isInstanceOf(RuleSetException.class)
                .hasMessageMatching(
                        "(?s)deep\\.yaml: not valid YAML at line 1, column \\d+: .*nesting depth \\(65\\) exceeds"
                                + " the maximum allowed \\(64.*");
        String json = "{\"rules\": " + "[".repeat(100_000);
        assertThatThrownBy(() -> PrivateNetwork.run(() -> load("deep.json", json)))
                .isInstanceOf(RuleSetException.class)
                .hasMessageMatching("(?s)deep\\.json: not valid JSON at line 1, column \\d+: .*");
    }
}
