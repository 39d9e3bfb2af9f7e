package org.levee.cli.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import org.levee.agent.rules.AgentJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code levee rules show ID}: one rule with its counters and evidence. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Print one rule: its fields, counters and, for automatic rules, the detector's evidence.")
final class RulesShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    @Parameters(paramLabel = "ID", description = "The rule's id.")
    String id;

    @Override
    public Integer call() throws Exception {
        JsonNode r = options.client().get(AgentClient.rulePath(id));
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(AgentJson.MAPPER.writeValueAsString(r));
            return 0;
        }
        out.printf("id:       %s%n", r.path("id").asText());
        out.printf("origin:   %s%n", r.path("origin").asText());
        out.printf("match:    %s%n", full(r));
        out.printf("scope:    %s%n", RuleText.scope(r));
        out.printf("action:   %s%n", RuleText.action(r));
        if (!RuleText.upstream(r).isEmpty()) {
            out.printf("upstream: %s%n", RuleText.upstream(r));
            r.path("upstream_status").path("routes").forEach(route -> out.printf("  %s%n", route.asText()));
            r.path("upstream_status").path("notes").forEach(note -> out.printf("  note: %s%n", note.asText()));
        }
        out.printf("packets:  %d%n", r.path("packets").asLong());
        out.printf("bytes:    %d%n", r.path("bytes").asLong());
        out.printf("created:  %s%n", r.path("created").asText());
        out.printf(
                "expires:  %s%s%n",
                r.hasNonNull("expires") ? r.get("expires").asText() + ", " : "", RuleText.expires(r, Instant.now()));
        if (!r.path("comment").asText().isEmpty()) {
            out.printf("comment:  %s%n", r.path("comment").asText());
        }
        if (r.has("evidence")) {
            out.println("evidence:");
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            r.get("evidence").properties().iterator();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.printf(
                        "  %s: %s%n",
                        e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue());
            }
        }
        return 0;
    }

    private static String full(JsonNode r) {
        for (String field : new String[] {"filter", "cbpf", "p0f"}) {
            if (r.has(field)) {
                return field + " " + r.get(field).asText();
            }
        }
        return RuleText.match(r);
    }
}
