package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.testing.PrivateNetwork;
import org.levee.rules.ManualRuleRequest;
import org.levee.rules.Rule;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.RuleSetException;
import org.levee.rules.fuzz.KeyNames;
import org.levee.rules.fuzz.Seeds;
import org.levee.testing.Requirements;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes what the agent's and the controller's APIs parse from the body of {@code POST /rules}
 * — {@link JsonApi#ruleRequest} (size cap, JSON, an object), then {@link ManualRuleRequest#read}
 * and the compilation of the rule's filters, which both do before their rule book or rule store
 * takes the rule (the data plane, etcd). A bad body must be an
 * {@link ApiException} (400 or 413, {@code body: …}) or a {@link RuleSetException} whose every
 * problem starts with the field; the rule the API answers with ({@link RuleCodec#writeRule}) must
 * read back equal when posted again. Seeds: the rules module's {@code api-bodies.jsonl}.
 */
@Tag("fuzz")
class RuleBodyFuzzTest {
    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    static final String BODIES = "/org/levee/rules/fuzz/api-bodies.jsonl";

    static final String FIELD = KeyNames.PATTERN;
    /** What each problem of a refused rule must start with: the field. */
    static final Pattern PROBLEM = Pattern.compile(
            "([a-z0-9_]+(\\[\\d+\\])?: \\S|" + FIELD + ": unknown field$" + "|must be a mapping)", Pattern.DOTALL);

    static final List<String> WORDS = List.of(
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "null",
            "true",
            "false",
            "\"\\u0000\"",
            "\"id\"",
            "\"filter\"",
            "\"cbpf\"",
            "\"dns\"",
            "\"p0f\"",
            "\"dns_ignore_case\"",
            "\"destinations\"",
            "\"datacenters\"",
            "\"action\"",
            "\"pps\"",
            "\"burst\"",
            "\"expires\"",
            "\"ttl\"",
            "\"comment\"",
            "\"origin\"",
            "\"drop\"",
            "\"pass\"",
            "\"ratelimit\"",
            "\"manual\"",
            "\"auto\"",
            "\"1h\"",
            "\"0s\"",
            "\"9999999999h\"",
            "\"2026-12-07T12:00:00Z\"",
            "\"2026-12-07T11:59:59Z\"",
            "\"udp\"",
            "\"host example.com\"",
            "\"198.51.100.0/24\"",
            "\"::/0\"",
            "1e999",
            "-0",
            "\"\\ud800\"");

    /** One compiler for the run, as the rule book and the rule store keep one. */
    private static final RuleFilters FILTERS = new RuleFilters();

    @BeforeAll
    static void requirements() {
        Requirements.library(Libpcap.SONAME);
        Requirements.root(); // for the network namespace the filters compile in
    }

    /** What {@code POST /rules} does with {@code body} before the data plane, and the round trip. */
    static Rule ruleFromBody(byte[] body) {
        PrivateNetwork.enter(); // libpcap resolves host names: fuzzed ones must not reach a DNS server
        Rule rule = read(body);
        byte[] answer = RuleCodec.writeRule(rule).toString().getBytes(StandardCharsets.UTF_8);
        Rule again = read(answer);
        if (!again.equals(rule)) {
            throw new AssertionError("the rule the API answers does not read back equal: "
                    + new String(answer, StandardCharsets.UTF_8) + "\nread: " + again + "\nwas: " + rule);
        }
        return rule;
    }

    private static Rule read(byte[] body) {
        try {
            ObjectNode request = JsonApi.ruleRequest(body);
            Rule rule = ManualRuleRequest.read(request, NOW);
            FILTERS.compile(rule);
            // Then the rule set holding it is compiled, which forgets the filters of rules no longer in
            // it: without this step the cache kept every fuzzed filter (heap 12 → 81 MiB over 1,000,000).
            FILTERS.compile("rule set", new RuleSet("fuzz", List.of(rule)));
            return rule;
        } catch (ApiException e) {
            if (e.status() != 400 && e.status() != 413) {
                throw new AssertionError("status " + e.status() + " for a bad body", e);
            }
            throw e;
        } catch (RuleSetException e) {
            List<String> unplaced = e.problems().stream()
                    .filter(p -> !PROBLEM.matcher(p).lookingAt())
                    .toList();
            if (e.problems().isEmpty() || !unplaced.isEmpty()) {
                throw new AssertionError("problems that do not name the field: " + unplaced, e);
            }
            throw e;
        }
    }

    static List<byte[]> seeds() {
        return Seeds.lines(BODIES).stream()
                .map(line -> line.getBytes(StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void ruleBodies() {
        FuzzRunner.run(FuzzFamily.bytes("API bodies (POST /rules)")
                        .seeds(seeds())
                        .maxLength(JsonApi.MAX_BODY + 1) // what the handler reads, one byte more than it takes
                        .target(RuleBodyFuzzTest::ruleFromBody)
                        .rejects(ApiException.class, "^body: \\S")
                        .rejects(RuleSetException.class, "^rule( \\S+)?: \\S")
                        .nativeCode()
                        .build())
                .assertNoCrashes();
    }

    @Test
    void everySeedIsAcceptedAndTheyCoverEveryField() {
        String all = String.join("\n", Seeds.lines(BODIES));
        for (String field : List.of(
                "id",
                "filter",
                "cbpf",
                "dns",
                "p0f",
                "dns_ignore_case",
                "destinations",
                "datacenters",
                "action",
                "pps",
                "burst",
                "expires",
                "ttl",
                "comment",
                "origin")) {
            assertThat(all).as("a seed with " + field).contains("\"" + field + "\"");
        }
        // On a thread of its own: the JUnit thread must keep the machine's network for the API tests.
        PrivateNetwork.run(() -> seeds().forEach(RuleBodyFuzzTest::ruleFromBody));
    }
}
