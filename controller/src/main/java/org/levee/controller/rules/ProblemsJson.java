package org.levee.controller.rules;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The value of {@code PREFIX problems}, which the leader writes after each compilation so that
 * {@code levee fleet status} shows the rules left out without asking a controller:
 *
 * <pre>
 * {"controller": "ctl-a", "updated": "2026-12-07T06:08:13Z",
 *  "problems": [{"key": "/levee/rules/bad", "rule": "bad", "problem": "filter: syntax error …"}]}
 * </pre>
 */
public final class ProblemsJson {
    private ProblemsJson() {}

    private static final JsonMapper JSON = new JsonMapper();

    /**
     * What the key holds.
     *
     * @param controller who wrote it
     * @param updated when
     * @param problems the rules left out, by key
     */
    public record Report(String controller, Instant updated, List<Problem> problems) {
        public Report {
            problems = List.copyOf(problems);
        }
    }

    /** The list as JSON objects {@code {key, rule, problem}} ({@code rule} null when the key names none). */
    public static ArrayNode list(List<Problem> problems) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (Problem p : problems) {
            ObjectNode n = list.addObject();
            n.put("key", p.key());
            if (p.rule().isPresent()) {
                n.put("rule", p.rule().get());
            } else {
                n.putNull("rule");
            }
            n.put("problem", p.problem());
        }
        return list;
    }

    public static byte[] encode(Report report) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("controller", report.controller());
        n.put("updated", report.updated().toString());
        n.set("problems", list(report.problems()));
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JacksonException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /**
     * The report in {@code json} from {@code key}.
     *
     * @throws IllegalArgumentException naming the key and what is wrong
     */
    public static Report decode(byte[] json, String key) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("problems").isArray()) {
            throw new IllegalArgumentException(key + ": expected an object with a 'problems' list");
        }
        List<Problem> problems = new ArrayList<>();
        for (JsonNode p : root.get("problems")) {
            problems.add(new Problem(
                    p.path("key").asText(""),
                    p.hasNonNull("rule") ? Optional.of(p.get("rule").asText()) : Optional.empty(),
                    p.path("problem").asText("")));
        }
        Instant updated;
        try {
            updated = Instant.parse(root.path("updated").asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    key + ": field 'updated' is not an RFC 3339 time: " + root.path("updated"));
        }
        return new Report(root.path("controller").asText(""), updated, problems);
    }
}
