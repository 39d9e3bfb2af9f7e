package org.levee.notify;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.levee.rules.AttackEvidence;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;

/**
 * A {@link Notification}'s JSON, both ways: what a command reads on its standard input, what a
 * webhook receives, and what the fleet's leader keeps in etcd until it is delivered.
 *
 * <pre>
 * {"id": "rule_added/auto-tpo1yy-a251-1", "kind": "rule_added", "at": "2026-12-07T08:23:25.113Z",
 *  "source": {"role": "controller", "name": "ctl-a", "datacenter": null},
 *  "text": "levee ctl-a: rule auto-tpo1yy-a251-1 drops the tcp_syn attack on 203.0.113.10/32 in all data centers",
 *  "destination": "203.0.113.10/32", "traffic_class": "tcp_syn",
 *  "rule": {…the stored-rule shape, as GET /rules/ID shows it…}, "evidence": {…}, "reason": null,
 *  "node": null, "registration": null, "refused": null}
 * </pre>
 *
 * Every key is always there, null when it does not apply to the kind. {@code rule} is written by
 * {@link StoredRuleCodec} and {@code evidence} in its evidence shape: one codec for rules wherever
 * they go. {@code text} is derived ({@link Notification#text()}) and ignored when read.
 */
public final class NotificationJson {
    private NotificationJson() {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The notification's JSON object. */
    public static ObjectNode write(Notification n) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", n.id());
        o.put("kind", n.kind().keyword());
        o.put("at", n.at().toString());
        ObjectNode source = o.putObject("source");
        source.put("role", n.source().role());
        source.put("name", n.source().name());
        source.put("datacenter", n.source().datacenter().orElse(null));
        o.put("text", n.text());
        o.put("destination", n.destination().orElse(null));
        o.put("traffic_class", n.trafficClass().orElse(null));
        o.set("rule", n.rule().<JsonNode>map(StoredRuleCodec::write).orElse(o.nullNode()));
        o.set(
                "evidence",
                n.evidence().<JsonNode>map(StoredRuleCodec::evidenceJson).orElse(o.nullNode()));
        o.put("reason", n.reason().orElse(null));
        if (n.node().isPresent()) {
            o.putObject("node")
                    .put("datacenter", n.node().get().datacenter())
                    .put("node", n.node().get().node());
        } else {
            o.putNull("node");
        }
        o.set("registration", n.registration().<JsonNode>map(r -> r).orElse(o.nullNode()));
        o.set("refused", n.refused().<JsonNode>map(r -> r).orElse(o.nullNode()));
        return o;
    }

    /** {@link #write} as compact UTF-8. */
    public static byte[] toBytes(Notification n) {
        try {
            return JSON.writeValueAsBytes(write(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /**
     * Reads a notification from the bytes of one JSON object ({@code source}, such as the etcd
     * key, names it in errors).
     *
     * @throws IllegalArgumentException naming the source and the field that is wrong
     */
    public static Notification parse(String source, byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw bad(source, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad(source, "cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(source, "must be a JSON object (id, kind, at, source, …)");
        }
        String id = text(source, root, "id").orElseThrow(() -> bad(source, "id: missing"));
        EventKind kind;
        try {
            kind = EventKind.parse(text(source, root, "kind").orElseThrow(() -> bad(source, "kind: missing")));
        } catch (IllegalArgumentException e) {
            throw bad(source, "kind: " + e.getMessage());
        }
        Instant at = time(source, root, "at");
        JsonNode from = root.path("source");
        if (!from.isObject()) {
            throw bad(source, "source: must be an object {role, name, datacenter}");
        }
        Notification.Source who = new Notification.Source(
                text(source, from, "role").orElseThrow(() -> bad(source, "source.role: missing")),
                text(source, from, "name").orElseThrow(() -> bad(source, "source.name: missing")),
                text(source, from, "datacenter"));
        Optional<StoredRule> rule = Optional.empty();
        JsonNode ruleNode = root.get("rule");
        if (ruleNode != null && !ruleNode.isNull()) {
            try {
                rule = Optional.of(StoredRuleCodec.read(source + " rule", ruleNode, Optional.empty()));
            } catch (RuleSetException e) {
                throw bad(source, "rule: " + String.join("; ", e.problems()));
            }
        }
        Optional<AttackEvidence> evidence = Optional.empty();
        JsonNode evidenceNode = root.get("evidence");
        if (evidenceNode != null && !evidenceNode.isNull()) {
            try {
                evidence = Optional.of(StoredRuleCodec.readEvidence(evidenceNode));
            } catch (IllegalArgumentException e) {
                throw bad(source, "evidence: " + e.getMessage());
            }
        }
        Optional<Notification.NodeRef> node = Optional.empty();
        JsonNode nodeNode = root.get("node");
        if (nodeNode != null && !nodeNode.isNull()) {
            if (!nodeNode.isObject()) {
                throw bad(source, "node: must be an object {datacenter, node}");
            }
            node = Optional.of(new Notification.NodeRef(
                    text(source, nodeNode, "datacenter").orElseThrow(() -> bad(source, "node.datacenter: missing")),
                    text(source, nodeNode, "node").orElseThrow(() -> bad(source, "node.node: missing"))));
        }
        try {
            return new Notification(
                    id,
                    kind,
                    at,
                    who,
                    text(source, root, "destination"),
                    text(source, root, "traffic_class"),
                    rule,
                    evidence,
                    text(source, root, "reason"),
                    node,
                    object(source, root, "registration"),
                    object(source, root, "refused"));
        } catch (IllegalArgumentException e) {
            throw bad(source, e.getMessage());
        }
    }

    private static Optional<String> text(String source, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw bad(source, field + ": must be a string, not " + v);
        }
        return Optional.of(v.asText());
    }

    private static Instant time(String source, JsonNode node, String field) {
        String text = text(source, node, field).orElseThrow(() -> bad(source, field + ": missing"));
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw bad(source, field + ": '" + text + "' is not an RFC 3339 time (like 2026-12-07T08:23:25Z)");
        }
    }

    private static Optional<ObjectNode> object(String source, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            throw bad(source, field + ": must be an object, not " + v);
        }
        return Optional.of((ObjectNode) v);
    }

    private static IllegalArgumentException bad(String source, String what) {
        return new IllegalArgumentException("notification at " + source + ": " + what);
    }
}
