package org.levee.cli.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.levee.agent.rules.AgentJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code levee rules list}: one line per rule. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description =
                "Print the node's rules: id, origin, match, scope, action, packets, bytes, expires. On an edge of the"
                        + " fleet, the fleet's rules follow, read-only (origin fleet/…, '(off)' where not enabled here).")
final class RulesListCommand implements Callable<Integer> {
    static final String[] HEADER = {"ID", "ORIGIN", "MATCH", "SCOPE", "ACTION", "PACKETS", "BYTES", "EXPIRES"};

    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    @Override
    public Integer call() throws Exception {
        JsonNode answer = options.client().get("/rules");
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(AgentJson.MAPPER.writeValueAsString(answer));
            return 0;
        }
        Instant now = Instant.now();
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (JsonNode r : answer.path("rules")) {
            rows.add(new String[] {
                r.path("id").asText(),
                r.path("origin").asText(),
                RuleText.match(r),
                RuleText.scope(r),
                RuleText.action(r),
                Long.toString(r.path("packets").asLong()),
                Long.toString(r.path("bytes").asLong()),
                RuleText.expires(r, now)
            });
        }
        // an edge of the fleet: the fleet's rules too, read-only here; "off" where this data center does not enable
        // them
        for (JsonNode r : answer.path("fleet").path("rules")) {
            rows.add(new String[] {
                r.path("id").asText(),
                "fleet/" + r.path("origin").asText() + (r.path("enabled").asBoolean(true) ? "" : " (off)"),
                RuleText.match(r),
                RuleText.scope(r),
                RuleText.action(r),
                Long.toString(r.path("packets").asLong()),
                Long.toString(r.path("bytes").asLong()),
                RuleText.expires(r, now)
            });
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean number = i == 5 || i == 6;
                String cell = number && row != HEADER
                        ? " ".repeat(widths[i] - row[i].length()) + row[i]
                        : row[i] + " ".repeat(widths[i] - row[i].length());
                line.append(cell).append(i + 1 < row.length ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
        }
        return 0;
    }
}
