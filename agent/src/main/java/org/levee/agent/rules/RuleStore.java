package org.levee.agent.rules;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.levee.rules.AttackEvidence;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;

/**
 * The rules of a node in {@code <state dir>/rules.json}, manual and automatic, with their
 * creation times and evidence: {@code {"format": 2, "rules": [...]}}, each rule in the one
 * stored-rule shape ({@link StoredRuleCodec}: the fields of a rule file plus {@code created} and
 * {@code evidence}), the same as in etcd and the API. Files of format 1, which nested each rule
 * as {@code {"rule": {...}, "created": …, "evidence": {...}}}, are still read. Every save writes
 * a temporary file, fsyncs it, renames it over the old one and fsyncs the directory: after a
 * crash the file holds either the old or the new rules, never a mix.
 */
public final class RuleStore {

    /** The file name inside the state directory. */
    public static final String FILE = "rules.json";
    /** The format written: a list of stored rules in {@link StoredRuleCodec}'s shape. */
    private static final int FORMAT = 2;
    /** The format of earlier versions: each rule nested under {@code "rule"}. */
    private static final int NESTED_FORMAT = 1;

    private static final JsonMapper JSON = AgentJson.MAPPER;

    private final Path file;

    public RuleStore(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /**
     * The stored rules, in order; none when the file does not exist yet.
     *
     * @throws RuleStoreException naming the file, the entry and the field that is wrong
     */
    public List<StoredRule> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new RuleStoreException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RuleStoreException(file + ": cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("rules").isArray()) {
            throw new RuleStoreException(file + ": expected an object with a 'rules' list");
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT && format != NESTED_FORMAT) {
            throw new RuleStoreException(file + ": format " + root.path("format") + " is not " + NESTED_FORMAT + " or "
                    + FORMAT + " (written by another version of levee?)");
        }
        List<StoredRule> rules = new ArrayList<>();
        JsonNode list = root.get("rules");
        for (int i = 0; i < list.size(); i++) {
            String where = file + ": rules[" + i + "]";
            JsonNode entry = list.get(i);
            if (format == NESTED_FORMAT) {
                try {
                    rules.add(readNested(where, entry));
                } catch (RuleSetException e) {
                    throw new RuleStoreException(where + ".rule: " + String.join("; ", e.problems()));
                }
            } else {
                try {
                    rules.add(StoredRuleCodec.read(where, entry, Optional.empty()));
                } catch (RuleSetException e) {
                    throw new RuleStoreException(where + ": " + String.join("; ", e.problems()));
                }
            }
        }
        return rules;
    }

    /** An entry of format 1: {@code {"rule": {...}, "created": …, "evidence": {...}}}. */
    private static StoredRule readNested(String where, JsonNode entry) {
        if (!entry.isObject() || !entry.path("rule").isObject()) {
            throw new RuleStoreException(where + ": expected an object with a 'rule' object");
        }
        var rule = RuleCodec.readRule(where, entry.get("rule"));
        Instant created;
        try {
            created = Instant.parse(entry.path("created").asText());
        } catch (DateTimeParseException e) {
            throw new RuleStoreException(
                    where + ".created: '" + entry.path("created").asText() + "' is not an RFC 3339 UTC time");
        }
        Optional<AttackEvidence> evidence = Optional.empty();
        JsonNode e = entry.get("evidence");
        if (e != null && !e.isNull()) {
            try {
                evidence = Optional.of(StoredRuleCodec.readEvidence(e));
            } catch (IllegalArgumentException ex) {
                throw new RuleStoreException(where + ".evidence: " + ex.getMessage());
            }
        }
        return new StoredRule(rule, created, evidence);
    }

    /** Replaces the stored rules with {@code rules}, atomically and durably. */
    public void save(List<StoredRule> rules) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("rules");
        for (StoredRule r : rules) {
            list.add(StoredRuleCodec.write(r));
        }
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
