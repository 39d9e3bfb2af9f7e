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
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleSetException;

/**
 * The rules of a node in {@code <state dir>/rules.json}, manual and automatic, with their
 * creation times and evidence. Every save writes a temporary file, fsyncs it, renames it over
 * the old one and fsyncs the directory: after a crash the file holds either the old or the new
 * rules, never a mix.
 */
public final class RuleStore {

    /** The file name inside the state directory. */
    public static final String FILE = "rules.json";
    private static final int FORMAT = 1;
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
        if (root.path("format").asInt(-1) != FORMAT) {
            throw new RuleStoreException(file + ": format " + root.path("format") + " is not " + FORMAT
                    + " (written by another version of levee?)");
        }
        List<StoredRule> rules = new ArrayList<>();
        JsonNode list = root.get("rules");
        for (int i = 0; i < list.size(); i++) {
            String where = file + ": rules[" + i + "]";
            JsonNode entry = list.get(i);
            try {
                rules.add(read(where, entry));
            } catch (RuleSetException e) {
                throw new RuleStoreException(where + ".rule: " + String.join("; ", e.problems()));
            }
        }
        return rules;
    }

    private static StoredRule read(String where, JsonNode entry) {
        if (!entry.isObject() || !entry.path("rule").isObject()) {
            throw new RuleStoreException(where + ": expected an object with a 'rule' object");
        }
        var rule = RuleCodec.readRule(where, entry.get("rule"));
        Instant created;
        try {
            created = Instant.parse(entry.path("created").asText());
        } catch (DateTimeParseException e) {
            throw new RuleStoreException(where + ".created: '" + entry.path("created").asText()
                    + "' is not an RFC 3339 UTC time");
        }
        Optional<AttackEvidence> evidence = Optional.empty();
        JsonNode e = entry.get("evidence");
        if (e != null && !e.isNull()) {
            try {
                evidence = Optional.of(JSON.treeToValue(e, AttackEvidence.class));
            } catch (JacksonException ex) {
                throw new RuleStoreException(where + ".evidence: " + ex.getOriginalMessage());
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
            ObjectNode entry = list.addObject();
            entry.set("rule", RuleCodec.writeRule(r.rule()));
            entry.put("created", r.created().toString());
            r.evidence().ifPresent(ev -> entry.set("evidence", JSON.valueToTree(ev)));
        }
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
