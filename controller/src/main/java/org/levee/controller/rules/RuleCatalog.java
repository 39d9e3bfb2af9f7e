package org.levee.controller.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.KeyValue;

/**
 * The rule sources under {@code PREFIX rules/}, read and validated: each key's value must be one
 * rule in the stored-rule shape ({@link StoredRuleCodec}) whose id, if it names one, is the key's
 * last segment, and whose filters compile ({@link RuleFilters}, which remembers them for the
 * compilation of the whole set). A rule that fails is left out and becomes a {@link Problem};
 * the others are unaffected. A rule without {@code created} (one an operator put with etcdctl)
 * is valid and gets the time it was first seen here.
 *
 * <p>Parses each key again only when its value changed (by modification revision). Not
 * thread-safe: the controller's store thread uses it.
 */
public final class RuleCatalog {

    /**
     * The sources at one revision.
     *
     * @param revision the etcd revision they were read at
     * @param rules the valid rules, by id, in key order
     * @param problems the keys left out, in key order
     * @param values the stored values of the valid rules, by id (to compare before a write)
     * @param withoutCreated ids of valid rules whose source has no {@code created}
     */
    public record Sources(
            long revision,
            Map<String, StoredRule> rules,
            List<Problem> problems,
            Map<String, KeyValue> values,
            List<String> withoutCreated) {}

    private record Parsed(long modRevision, StoredRule rule, Problem problem, boolean withoutCreated) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.json.JsonMapper();

    private final FleetKeys keys;
    private final RuleFilters filters;
    private final Map<String, Parsed> parsed = new HashMap<>();
    private final Map<String, Instant> firstSeen = new HashMap<>();

    public RuleCatalog(FleetKeys keys, RuleFilters filters) {
        this.keys = keys;
        this.filters = filters;
    }

    /** Validates the keys of {@code snapshot} (a watch's or a read's), at {@code revision}. */
    public Sources read(long revision, SortedMap<String, KeyValue> snapshot, Instant now) {
        Map<String, StoredRule> rules = new java.util.LinkedHashMap<>();
        Map<String, KeyValue> values = new HashMap<>();
        List<Problem> problems = new ArrayList<>();
        List<String> withoutCreated = new ArrayList<>();
        parsed.keySet().retainAll(snapshot.keySet());
        firstSeen.keySet().retainAll(snapshot.keySet());
        for (KeyValue kv : snapshot.values()) {
            Parsed p = parsed.get(kv.key());
            if (p == null || p.modRevision() != kv.modRevision()) {
                p = parse(kv, firstSeen.computeIfAbsent(kv.key(), k -> now));
                parsed.put(kv.key(), p);
            }
            if (p.problem() != null) {
                problems.add(p.problem());
            } else {
                rules.put(p.rule().id(), p.rule());
                values.put(p.rule().id(), kv);
                if (p.withoutCreated()) {
                    withoutCreated.add(p.rule().id());
                }
            }
        }
        return new Sources(revision, rules, problems, values, withoutCreated);
    }

    /** True when the (valid) source names its {@code created} time. */
    private static boolean hasCreated(byte[] json) {
        try {
            return JSON.readTree(json).hasNonNull(StoredRuleCodec.CREATED);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private Parsed parse(KeyValue kv, Instant seen) {
        Optional<String> keyId = keys.ruleId(kv.key());
        if (keyId.isEmpty()) {
            return new Parsed(
                    kv.modRevision(),
                    null,
                    new Problem(
                            kv.key(),
                            Optional.empty(),
                            "not a rule key: a rule is at " + keys.rules() + "ID, ID one segment"),
                    false);
        }
        String id = keyId.get();
        StoredRule rule;
        try {
            rule = StoredRuleCodec.parse(kv.key(), kv.value(), Optional.of(seen), Optional.of(id));
        } catch (RuleSetException e) {
            return new Parsed(
                    kv.modRevision(),
                    null,
                    new Problem(kv.key(), Optional.of(id), String.join("; ", e.problems())),
                    false);
        }
        if (!rule.id().equals(id)) {
            return new Parsed(
                    kv.modRevision(),
                    null,
                    new Problem(kv.key(), Optional.of(id), "id: '" + rule.id() + "' is not the key's id '" + id + "'"),
                    false);
        }
        try {
            filters.compile(rule.rule());
        } catch (RuleSetException e) {
            return new Parsed(
                    kv.modRevision(),
                    null,
                    new Problem(kv.key(), Optional.of(id), String.join("; ", e.problems())),
                    false);
        }
        return new Parsed(kv.modRevision(), rule, null, !hasCreated(kv.value()));
    }
}
