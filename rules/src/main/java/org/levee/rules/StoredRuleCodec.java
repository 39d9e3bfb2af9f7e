package org.levee.rules;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one JSON shape of a stored rule: the fields of a rule file ({@link RuleCodec#writeRule}:
 * {@code id}, the match, {@code destinations}, {@code datacenters}, {@code action}, {@code pps},
 * {@code burst}, {@code expires}, {@code comment}, {@code origin}, and when set {@code cbpf_description}
 * and {@code upstream}) plus {@code created} (RFC 3339
 * UTC) and, for automatic rules, {@code evidence} (the snake_case fields of {@link
 * AttackEvidence}). The agent's state file holds a list of these, a controller keeps one at each
 * {@code PREFIX rules/ID} key in etcd, and the HTTP API answers with them (adding the rule's
 * counters):
 *
 * <pre>
 * {"id": "auto-t5k2x1-3fa2-1", "cbpf": "14,40 0 0 12,…", "destinations": [], "datacenters": ["ams1"],
 *  "action": "drop", "comment": "udp attack on 203.0.113.10/32: …", "origin": "auto",
 *  "created": "2026-11-25T15:34:41.5Z",
 *  "evidence": {"destination": "203.0.113.10/32", "traffic_class": "udp", "trigger": "threshold", …}}
 * </pre>
 *
 * Reading is strict about the rule's fields (an unknown field is an error, as in rule files) and
 * lenient inside {@code evidence} (a later version may say more about an attack). Every problem
 * names its field.
 */
public final class StoredRuleCodec {
    private StoredRuleCodec() {}

    /** When the rule was added. */
    public static final String CREATED = "created";
    /** The detector's evidence of an automatic rule. */
    public static final String EVIDENCE = "evidence";

    /** Evidence as snake_case fields; unknown ones are ignored (a later version may add some). */
    private static final JsonMapper EVIDENCE_JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /** Values from etcd: one JSON object, nothing after it, no field twice. */
    private static final JsonMapper STRICT_JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The fields of {@code stored}: its rule's, then {@code created} and, if any, {@code evidence}. */
    public static ObjectNode write(StoredRule stored) {
        ObjectNode n = RuleCodec.writeRule(stored.rule());
        n.put(CREATED, stored.created().toString());
        stored.evidence().ifPresent(e -> n.set(EVIDENCE, evidenceJson(e)));
        return n;
    }

    /** {@link #write} as compact UTF-8 JSON: the value of a {@code PREFIX rules/ID} key. */
    public static byte[] toBytes(StoredRule stored) {
        try {
            return STRICT_JSON.writeValueAsBytes(write(stored));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** The JSON of {@code evidence}: its components in snake_case, nulls included. */
    public static ObjectNode evidenceJson(AttackEvidence evidence) {
        return EVIDENCE_JSON.valueToTree(evidence);
    }

    /**
     * Reads a stored rule from the bytes of one JSON object ({@code source}, e.g. the etcd key,
     * names it in errors).
     *
     * @param createdIfMissing the time to use when the rule has no {@code created}; empty makes a
     *     missing {@code created} a problem
     * @throws RuleSetException naming each problem: invalid JSON (with line and column), and
     *     every bad field
     */
    public static StoredRule parse(String source, byte[] json, Optional<Instant> createdIfMissing) {
        return parse(source, json, createdIfMissing, Optional.empty());
    }

    /**
     * Like {@link #parse(String, byte[], Optional)}, with an id for a rule that names none (an
     * etcd key's last segment: {@code etcdctl put /levee/rules/ID} need not repeat the id).
     */
    public static StoredRule parse(
            String source, byte[] json, Optional<Instant> createdIfMissing, Optional<String> idIfMissing) {
        JsonNode node;
        try {
            node = STRICT_JSON.readTree(json);
        } catch (JacksonException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new RuleSetException(source, List.of("not valid JSON" + where + ": " + e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw new RuleSetException(source, List.of("cannot read: " + e.getMessage()));
        }
        if (node == null || node.isMissingNode()) {
            throw new RuleSetException(source, List.of("empty (expected a JSON object with the fields of a rule)"));
        }
        if (idIfMissing.isPresent()
                && node.isObject()
                && (!node.has("id") || node.get("id").isNull())) {
            ((ObjectNode) node).put("id", idIfMissing.get());
        }
        return read(source, node, createdIfMissing);
    }

    /**
     * Reads a stored rule from its fields.
     *
     * @param createdIfMissing the time to use when {@code created} is absent; empty makes that a problem
     * @throws RuleSetException with one problem per bad field, each starting with the field's name
     */
    public static StoredRule read(String source, JsonNode node, Optional<Instant> createdIfMissing) {
        if (node == null || !node.isObject()) {
            throw new RuleSetException(
                    source, List.of("must be a JSON object with the fields of a rule (id, filter, action, …)"));
        }
        List<String> problems = new ArrayList<>();
        ObjectNode ruleFields = ((ObjectNode) node).deepCopy();
        JsonNode createdNode = ruleFields.remove(CREATED);
        JsonNode evidenceNode = ruleFields.remove(EVIDENCE);
        Rule rule = null;
        try {
            rule = RuleCodec.readRule(source, ruleFields);
        } catch (RuleSetException e) {
            problems.addAll(e.problems());
        }
        Instant created = null;
        if (createdNode == null || createdNode.isNull()) {
            created = createdIfMissing.orElse(null);
            if (created == null) {
                problems.add(CREATED + ": missing (when the rule was added, like 2026-11-25T18:00:00Z)");
            }
        } else {
            created = time(createdNode.asText());
            if (created == null) {
                problems.add(CREATED + ": '" + createdNode.asText()
                        + "' is not an RFC 3339 time (like 2026-11-25T18:00:00Z)");
            }
        }
        Optional<AttackEvidence> evidence = Optional.empty();
        if (evidenceNode != null && !evidenceNode.isNull()) {
            try {
                evidence = Optional.of(readEvidence(evidenceNode));
            } catch (IllegalArgumentException e) {
                problems.add(EVIDENCE + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleSetException(source, problems);
        }
        return new StoredRule(rule, created, evidence);
    }

    /**
     * The evidence in {@code node}.
     *
     * @throws IllegalArgumentException saying which field is wrong
     */
    public static AttackEvidence readEvidence(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("must be an object (destination, traffic_class, trigger, …)");
        }
        try {
            return EVIDENCE_JSON.treeToValue(node, AttackEvidence.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    private static Instant time(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
