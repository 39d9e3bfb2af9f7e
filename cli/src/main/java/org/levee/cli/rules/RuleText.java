package org.levee.cli.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.levee.rules.Durations;

/** How a rule (as the API returns it) reads in a table: match, scope, action, expiry. */
final class RuleText {
    private RuleText() {}

    private static final int MATCH_WIDTH = 48;

    static String match(JsonNode rule) {
        String text;
        if (rule.has("filter")) {
            text = "filter " + rule.get("filter").asText();
        } else if (rule.has("dns")) {
            List<String> patterns = new ArrayList<>();
            rule.get("dns").forEach(p -> patterns.add(p.asText()));
            text = "dns " + String.join(" ", patterns);
        } else if (rule.has("p0f")) {
            text = "p0f " + rule.get("p0f").asText();
        } else if (rule.has("cbpf")) {
            String bytecode = rule.get("cbpf").asText();
            int comma = bytecode.indexOf(',');
            text = "cbpf " + (comma > 0 ? bytecode.substring(0, comma) : "?") + " instructions";
        } else {
            text = "?";
        }
        return text.length() <= MATCH_WIDTH ? text : text.substring(0, MATCH_WIDTH - 1) + "…";
    }

    static String scope(JsonNode rule) {
        String destinations = join(rule.path("destinations"), "any destination");
        String datacenters = join(rule.path("datacenters"), "all data centers");
        return destinations + " in " + datacenters;
    }

    static String action(JsonNode rule) {
        String action = rule.path("action").asText();
        if (action.equals("ratelimit")) {
            return "ratelimit " + rule.path("pps").asLong() + "pps/"
                    + rule.path("burst").asLong();
        }
        return action;
    }

    static String expires(JsonNode rule, Instant now) {
        if (!rule.hasNonNull("expires")) {
            return "never";
        }
        Instant at = Instant.parse(rule.get("expires").asText());
        Duration left = Duration.between(now, at);
        if (left.isNegative() || left.isZero()) {
            return "expired";
        }
        return "in " + Durations.format(Duration.ofSeconds(Math.max(1, left.toSeconds())));
    }

    /**
     * What goes upstream for the rule, in one line: {@code flowspec announced},
     * {@code flowspec refused: <reason>}, or "" when the rule does not go upstream.
     */
    static String upstream(JsonNode rule) {
        JsonNode s = rule.path("upstream_status");
        if (s.isMissingNode()) {
            return rule.has("upstream") ? rule.get("upstream").asText() + " (requested)" : "";
        }
        String line = s.path("mode").asText() + " " + s.path("phase").asText() + " ("
                + s.path("basis").asText() + ")";
        return s.path("detail").asText().isEmpty()
                ? line
                : line + ": " + s.path("detail").asText();
    }

    private static String join(JsonNode list, String none) {
        if (!list.isArray() || list.isEmpty()) {
            return none;
        }
        List<String> items = new ArrayList<>();
        list.forEach(x -> items.add(x.asText()));
        return String.join(",", items);
    }
}
