package org.levee.controller.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.ManualRuleRequest;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleGuard;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.RangeResult;

/**
 * The rule sources in etcd as the rules API sees them: read straight from etcd (a rule added a
 * moment ago is listed), added only once validated — the same request fields and checks as an
 * agent's ({@link ManualRuleRequest}), the filter compiled once (the leader's compilation then
 * finds it compiled) — and created or deleted in transactions that check the key's existence.
 * Any controller may serve it, leader or not: a rule source is written by whoever has one (the
 * detector, the API, an operator with etcdctl); only the compiled set is the leader's.
 */
public final class RuleSourceStore {

    /** A rule id that is taken. */
    public static final class DuplicateRuleException extends RuntimeException {
        public DuplicateRuleException(String id) {
            super("a rule with id '" + id + "' exists already");
        }
    }

    /** A stored rule, or why the value at its key is not one. */
    public record Entry(String id, Optional<StoredRule> rule, Optional<Problem> problem) {}

    private final EtcdClient client;
    private final FleetKeys keys;
    private final RuleFilters filters;
    private final Clock clock;
    private final RuleGuard guard;
    private final Supplier<LegitimateTraffic> legitimateTraffic;

    /** A store whose API adds rules without a guard. */
    public RuleSourceStore(EtcdClient client, FleetKeys keys, RuleFilters filters, Clock clock) {
        this(client, keys, filters, clock, RuleGuard.allowAll(), () -> LegitimateTraffic.NONE);
    }

    /**
     * A store whose API refuses the manual rules {@code guard} refuses, against the legitimate
     * traffic {@code traffic} says the controller's detector saw, unless forced.
     */
    public RuleSourceStore(
            EtcdClient client,
            FleetKeys keys,
            RuleFilters filters,
            Clock clock,
            RuleGuard guard,
            Supplier<LegitimateTraffic> traffic) {
        this.client = client;
        this.keys = keys;
        this.filters = filters;
        this.clock = clock;
        this.guard = Objects.requireNonNull(guard, "guard");
        this.legitimateTraffic = Objects.requireNonNull(traffic, "traffic");
    }

    /** The valid rules, in the set's order, and the problems of the others (a fresh read). */
    public RuleCatalog.Sources read() {
        RangeResult range = client.get(KeyRange.prefix(keys.rules()));
        java.util.TreeMap<String, KeyValue> snapshot = new java.util.TreeMap<>();
        range.kvs().forEach(kv -> snapshot.put(kv.key(), kv));
        return new RuleCatalog(keys, filters).read(range.revision(), snapshot, clock.instant());
    }

    /** The valid rules in the set's order. */
    public List<StoredRule> list() {
        return read().rules().values().stream().sorted(RuleOrder.ORDER).toList();
    }

    /** The rule with this id, or its problem; empty when there is no such key. */
    public Optional<Entry> get(String id) {
        String key;
        try {
            key = keys.rule(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Optional<KeyValue> kv = client.get(key);
        if (kv.isEmpty()) {
            return Optional.empty();
        }
        java.util.TreeMap<String, KeyValue> one = new java.util.TreeMap<>();
        one.put(key, kv.get());
        RuleCatalog.Sources s = new RuleCatalog(keys, filters).read(kv.get().modRevision(), one, clock.instant());
        return Optional.of(new Entry(
                id,
                Optional.ofNullable(s.rules().get(id)),
                s.problems().isEmpty()
                        ? Optional.empty()
                        : Optional.of(s.problems().getFirst())));
    }

    /**
     * Adds the manual rule {@code request} asks for (the body of {@code POST /rules}), if the
     * guard allows it or the request says {@code "force": true}.
     *
     * @throws RuleSetException naming each bad field, or the filter that does not compile
     * @throws org.levee.rules.RuleRefusedException when the guard refuses it, saying why
     * @throws DuplicateRuleException when the id is taken
     * @throws org.levee.store.etcd.StoreException when etcd cannot be reached
     */
    public StoredRule add(ObjectNode request) {
        Instant now = clock.instant();
        boolean force = ManualRuleRequest.force(request);
        Rule rule = ManualRuleRequest.read(request, now);
        RuleFilter filter = filters.compile(rule);
        if (!force) {
            guard.requireAllowed(filter, List.of(), legitimateTraffic.get(), FORCE_ADVICE);
        }
        StoredRule stored = new StoredRule(rule, now, Optional.empty());
        String key = keys.rule(rule.id());
        boolean created = client.txn(
                        List.of(Compare.absent(key)), List.of(Op.put(key, StoredRuleCodec.toBytes(stored))), List.of())
                .succeeded();
        if (!created) {
            throw new DuplicateRuleException(rule.id());
        }
        return stored;
    }

    /** What a refusal tells the operator. */
    public static final String FORCE_ADVICE = "; if that is what you want, add it with force"
            + " (levee rules add --force, or \"force\": true in the API's body)";

    /** Deletes rule {@code id}; false when there is none. */
    public boolean remove(String id) {
        String key;
        try {
            key = keys.rule(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return client.txn(List.of(Compare.exists(key)), List.of(Op.delete(key)), List.of())
                .succeeded();
    }
}
