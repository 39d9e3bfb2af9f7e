package org.levee.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The manifest's JSON, both ways. Writing puts the five fields first, then the extra ones in
 * order. Reading refuses anything ambiguous — duplicate names, trailing content, numbers written
 * as text or with fractions, unknown fields inside {@code "object"} (and {@code "object_gzip"}) —
 * with a message naming the field; unknown top-level fields are kept in {@link
 * RulesetManifest#extra()}, where {@code "object_gzip"} is checked like {@code "object"}.
 */
public final class RulesetManifestJson {
    private RulesetManifestJson() {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> OBJECT_FIELDS = Set.of("sha256", "size", "chunks");

    /** The manifest as a JSON object. */
    public static ObjectNode toJson(RulesetManifest m) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("version", m.version());
        ArrayNode rules = n.putArray("rules");
        m.rules().forEach(rules::add);
        n.set("object", objectRefJson(m.object()));
        n.put("compiled_at", m.compiledAt().toString());
        n.put("controller", m.controller());
        m.extra().forEach((name, value) -> n.set(name, value.deepCopy()));
        return n;
    }

    /** The manifest as UTF-8 JSON bytes, as stored in etcd. */
    public static byte[] encode(RulesetManifest m) {
        try {
            return JSON.writeValueAsBytes(toJson(m));
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a manifest as JSON", e);
        }
    }

    /**
     * The manifest in {@code json}, read from {@code key} (named in errors).
     *
     * @throws BadManifestException naming the key, the field and what is wrong
     */
    public static RulesetManifest decode(byte[] json, String key) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw bad(key, "is not valid JSON: " + e.getOriginalMessage() + location(e), e);
        } catch (IOException e) {
            throw bad(key, "cannot be read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw bad(key, "is empty", null);
        }
        if (!root.isObject()) {
            throw bad(
                    key,
                    "must be a JSON object, got "
                            + root.getNodeType().toString().toLowerCase(),
                    null);
        }
        long version = wholeNumber(key, required(key, root, "version"), "version", 1, Long.MAX_VALUE);
        List<String> rules = ruleIds(key, required(key, root, "rules"));
        ObjectRef object = objectRef(key, required(key, root, "object"));
        Instant compiledAt = instant(key, root, "compiled_at");
        String controller = text(key, root, "controller");
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!RulesetManifest.FIELDS.contains(field.getKey())) {
                extra.put(field.getKey(), field.getValue());
            }
        }
        try {
            return new RulesetManifest(version, rules, object, compiledAt, controller, extra);
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage(), e);
        }
    }

    private static JsonNode required(String key, JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            throw bad(key, "field '" + field + "' is missing", null);
        }
        return value;
    }

    private static long wholeNumber(String key, JsonNode value, String field, long min, long max) {
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw bad(
                    key,
                    "field '" + field + "' must be a whole number in " + min + ".." + max + ", got " + value,
                    null);
        }
        return value.asLong();
    }

    private static String text(String key, JsonNode parent, String field) {
        JsonNode value = required(key, parent, field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw bad(key, "field '" + field + "' must be a non-empty string, got " + value, null);
        }
        return value.asText();
    }

    private static List<String> ruleIds(String key, JsonNode value) {
        if (!value.isArray()) {
            throw bad(
                    key,
                    "field 'rules' must be an array of rule ids, got "
                            + value.getNodeType().toString().toLowerCase(),
                    null);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode id = value.get(i);
            if (!id.isTextual()) {
                throw bad(key, "field 'rules[" + i + "]' must be a rule id (a string), got " + id, null);
            }
            ids.add(id.asText());
        }
        return ids;
    }

    private static ObjectRef objectRef(String key, JsonNode value) {
        try {
            return parseObjectRef("object", value);
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage(), null);
        }
    }

    /**
     * The object reference in {@code value}, the value of field {@code field} ({@code object},
     * {@code object_gzip}): exactly {@code sha256}, {@code size}, {@code chunks}.
     *
     * @throws IllegalArgumentException naming the field ({@code field 'object.size' must be …})
     */
    static ObjectRef parseObjectRef(String field, JsonNode value) {
        if (value == null || !value.isObject()) {
            throw new IllegalArgumentException(
                    "field '" + field + "' must be an object {sha256, size, chunks}, got " + value);
        }
        for (Map.Entry<String, JsonNode> member : value.properties()) {
            if (!OBJECT_FIELDS.contains(member.getKey())) {
                throw new IllegalArgumentException("field '" + field + "." + member.getKey() + "' is unknown (" + field
                        + " has sha256, size, chunks)");
            }
        }
        JsonNode sha = value.get("sha256");
        if (sha == null || sha.isNull()) {
            throw new IllegalArgumentException("field '" + field + ".sha256' is missing");
        }
        try {
            ObjectRef.checkSha256(sha.isTextual() ? sha.asText() : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "field '" + field + ".sha256' must be 64 lowercase hex digits, got " + sha);
        }
        long size = refNumber(value, field, "size", ObjectRef.MAX_SIZE);
        long chunks = refNumber(value, field, "chunks", size);
        return new ObjectRef(sha.asText(), size, (int) chunks);
    }

    private static long refNumber(JsonNode ref, String field, String name, long max) {
        JsonNode value = ref.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("field '" + field + "." + name + "' is missing");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1 || value.asLong() > max) {
            throw new IllegalArgumentException(
                    "field '" + field + "." + name + "' must be a whole number in 1.." + max + ", got " + value);
        }
        return value.asLong();
    }

    /** {@code ref} as the JSON object {@code {"sha256", "size", "chunks"}}. */
    static ObjectNode objectRefJson(ObjectRef ref) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.put("sha256", ref.sha256());
        // An int node, as reading gives for any size up to ObjectRef.MAX_SIZE: a manifest read back then equals the one
        // written.
        object.put("size", Math.toIntExact(ref.size()));
        object.put("chunks", ref.chunks());
        return object;
    }

    private static Instant instant(String key, JsonNode parent, String field) {
        JsonNode value = required(key, parent, field);
        try {
            if (value.isTextual()) {
                return Instant.parse(value.asText());
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw bad(
                key,
                "field '" + field + "' must be an ISO-8601 UTC time such as 2026-12-07T06:08:13Z, got " + value,
                null);
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    private static BadManifestException bad(String key, String what, Throwable cause) {
        return new BadManifestException(key, "manifest at " + key + ": " + what, cause);
    }
}
