package org.levee.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The manifest at {@code PREFIX ruleset}: which rule set is in force and where its compiled object
 * is. Written last, after every chunk of the object. JSON (see {@link RulesetManifestJson}):
 *
 * <pre>
 * {"version": 7, "rules": ["syn-flood-1", "dns-amp-2"],
 *  "object": {"sha256": "…64 hex…", "size": 3670016, "chunks": 4},
 *  "compiled_at": "2026-12-07T06:08:13.123Z", "controller": "ctl-a"}
 * </pre>
 *
 * Fields added later (a signature, per-rule expiry) travel in {@link #extra()}: a reader keeps
 * what it does not know, and these five names never change. One of them is known here: {@value
 * #GZIP_FIELD}, the same object gzip-compressed ({@link #gzip()}), which edges fetch instead of
 * the plain chunks when it is there.
 *
 * @param version the rule set's version, a whole number ≥ 1 that the controller increases with each publication
 * @param rules the ids of the rules compiled into the object, in the object's order
 * @param object the compiled object
 * @param compiledAt when the controller compiled it
 * @param controller the identity of the controller that published it
 * @param extra further top-level fields, in order, by name
 */
public record RulesetManifest(
        long version,
        List<String> rules,
        ObjectRef object,
        Instant compiledAt,
        String controller,
        Map<String, JsonNode> extra) {

    /** The field names this record owns; {@link #extra()} holds any others. */
    public static final Set<String> FIELDS = Set.of("version", "rules", "object", "compiled_at", "controller");

    /**
     * The extra field naming the object's gzip form, {@code {"sha256", "size", "chunks"}} of the
     * compressed bytes, stored at {@code PREFIX objects/<object.sha256>/gzip/<n>}.
     */
    public static final String GZIP_FIELD = "object_gzip";

    public RulesetManifest {
        if (version < 1) {
            throw new IllegalArgumentException("manifest version " + version + " must be at least 1");
        }
        rules = List.copyOf(rules);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            FleetKeys.segment("rules[" + i + "]", rules.get(i));
            Integer before = seen.putIfAbsent(rules.get(i), i);
            if (before != null) {
                throw new IllegalArgumentException(
                        "rule id '" + rules.get(i) + "' is listed twice: rules[" + before + "] and rules[" + i + "]");
            }
        }
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(compiledAt, "compiledAt");
        if (controller == null || controller.isBlank()) {
            throw new IllegalArgumentException("manifest controller is empty");
        }
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        extra.forEach((name, value) -> {
            if (FIELDS.contains(name)) {
                throw new IllegalArgumentException(
                        "extra manifest field '" + name + "' is one of the manifest's own fields");
            }
            copy.put(name, Objects.requireNonNull(value, name).deepCopy());
        });
        if (copy.containsKey(GZIP_FIELD)) {
            RulesetManifestJson.parseObjectRef(GZIP_FIELD, copy.get(GZIP_FIELD));
        }
        extra = Collections.unmodifiableMap(copy);
    }

    /** A manifest without extra fields. */
    public RulesetManifest(long version, List<String> rules, ObjectRef object, Instant compiledAt, String controller) {
        this(version, rules, object, compiledAt, controller, Map.of());
    }

    /** This manifest without the extra field {@code name} (itself when it has none). */
    public RulesetManifest withoutExtra(String name) {
        if (!extra.containsKey(name)) {
            return this;
        }
        Map<String, JsonNode> fewer = new LinkedHashMap<>(extra);
        fewer.remove(name);
        return new RulesetManifest(version, rules, object, compiledAt, controller, fewer);
    }

    /**
     * The object's gzip form, if the publisher wrote one: a reference to the compressed bytes
     * (their SHA-256, size and chunk count) under the object's own key prefix. The object itself
     * is still {@link #object()}, and still stored in plain chunks for readers that do not know
     * this field.
     */
    public Optional<ObjectRef> gzip() {
        JsonNode value = extra.get(GZIP_FIELD);
        return value == null ? Optional.empty() : Optional.of(RulesetManifestJson.parseObjectRef(GZIP_FIELD, value));
    }

    /** This manifest naming {@code gzip} as its object's gzip form ({@link ObjectStore#gzipRefOf}). */
    public RulesetManifest withGzip(ObjectRef gzip) {
        return withExtra(GZIP_FIELD, RulesetManifestJson.objectRefJson(gzip));
    }

    /** This manifest with one more (or a replaced) extra field. */
    public RulesetManifest withExtra(String name, JsonNode value) {
        Map<String, JsonNode> more = new LinkedHashMap<>(extra);
        more.put(name, value);
        return new RulesetManifest(version, rules, object, compiledAt, controller, more);
    }
}
