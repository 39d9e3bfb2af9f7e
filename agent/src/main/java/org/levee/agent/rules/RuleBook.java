package org.levee.agent.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.levee.dataplane.DataPlane;
import org.levee.rules.AttackEvidence;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.ManualRuleRequest;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleGuard;
import org.levee.rules.RuleSet;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;

/**
 * The node's rules: the one place that changes them. Every change is applied to the data plane
 * first (compiled once, specialised, swapped), then saved; if either step fails nothing changes,
 * so the program, the state file and what the API shows always agree. Thread-safe: the API, the
 * detector and the expiry timer call it concurrently.
 */
public final class RuleBook {

    private final RuleStore store;
    private final RuleTarget target;
    private final String datacenter;
    private final Clock clock;
    private List<StoredRule> rules;
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile RuleGuard guard = RuleGuard.allowAll();
    private volatile Supplier<LegitimateTraffic> legitimateTraffic = () -> LegitimateTraffic.NONE;

    private RuleBook(RuleStore store, RuleTarget target, String datacenter, Clock clock, List<StoredRule> rules) {
        this.store = store;
        this.target = target;
        this.datacenter = datacenter;
        this.clock = clock;
        this.rules = List.copyOf(rules);
    }

    /**
     * Loads the stored rules and applies them before anything else runs. Automatic rules from a
     * previous run expire after {@code restoredAutoRuleGrace} (the new detector does not know
     * them); rules already expired are dropped.
     */
    public static RuleBook restore(
            RuleStore store, DataPlane dataPlane, String datacenter, Clock clock, Duration restoredAutoRuleGrace) {
        return restore(store, RuleTarget.of(dataPlane), datacenter, clock, restoredAutoRuleGrace);
    }

    /** {@link #restore(RuleStore, DataPlane, String, Clock, Duration)} with the rules taking effect in {@code target}. */
    public static RuleBook restore(
            RuleStore store, RuleTarget target, String datacenter, Clock clock, Duration restoredAutoRuleGrace) {
        Instant now = clock.instant();
        Instant autoLimit = now.plus(restoredAutoRuleGrace);
        List<StoredRule> restored = new ArrayList<>();
        for (StoredRule r : store.load()) {
            StoredRule kept = r;
            if (r.rule().origin() == Origin.AUTO
                    && r.rule().expires().map(e -> e.isAfter(autoLimit)).orElse(true)) {
                kept = new StoredRule(r.rule().withExpires(Optional.of(autoLimit)), r.created(), r.evidence());
            }
            if (!kept.expiredAt(now)) {
                restored.add(kept);
            }
        }
        RuleBook book = new RuleBook(store, target, datacenter, clock, List.of());
        book.commit(restored);
        return book;
    }

    /**
     * Calls {@code listener} after every change of the rules (on the changing thread, holding the
     * book's lock: it must only take note, as the upstream keeper does, and never call back).
     */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Checks every manual rule added from now on with {@code guard} against the legitimate
     * traffic {@code traffic} says the detector saw ({@link LegitimateTraffic#NONE} on a node
     * without a detector), unless the request forces it.
     */
    public void guard(RuleGuard guard, Supplier<LegitimateTraffic> traffic) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.legitimateTraffic = Objects.requireNonNull(traffic, "traffic");
    }

    /** The rules in order (the first matching rule decides). */
    public synchronized List<StoredRule> list() {
        return rules;
    }

    public synchronized Optional<StoredRule> get(String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** The version of the rule set applied now: a digest of the rules. */
    public synchronized String version() {
        return version(rules);
    }

    /**
     * Adds {@code rule} at the end, without asking the {@link #guard}: the detector's rules, which
     * its detector checked with the same guard before making them (automatic rules are never
     * forced: a refused one is never made).
     *
     * @throws DuplicateRuleException when its id is taken
     * @throws RuleSetException naming the field when its match does not compile or it has expired
     */
    public synchronized StoredRule add(Rule rule, Optional<AttackEvidence> evidence) {
        return add(rule, evidence, true);
    }

    private synchronized StoredRule add(Rule rule, Optional<AttackEvidence> evidence, boolean force) {
        Objects.requireNonNull(rule, "rule");
        if (get(rule.id()).isPresent()) {
            throw new DuplicateRuleException(rule.id());
        }
        Instant now = clock.instant();
        ManualRuleRequest.requireFuture(rule, now);
        // Compiled once: the data plane remembers the filter for the rule set that will hold it.
        RuleFilter filter = target.filters().compile(rule);
        if (!force) {
            guard.requireAllowed(filter, List.of(), legitimateTraffic.get(), FORCE_ADVICE);
        }
        StoredRule stored = new StoredRule(rule, now, evidence);
        List<StoredRule> next = new ArrayList<>(rules);
        next.add(stored);
        commit(next);
        return stored;
    }

    /**
     * Adds a rule an operator asked for (through the API): the fields of a rule file, with
     * {@code id} optional, {@code ttl} as an alternative to {@code expires}, and {@code origin},
     * if given, manual ({@link ManualRuleRequest}, the same on a controller). The rule must pass
     * the {@link #guard} unless the request says {@code "force": true}.
     *
     * @throws RuleSetException naming each bad field
     * @throws org.levee.rules.RuleRefusedException when the guard refuses the rule, saying why
     * @throws DuplicateRuleException when the id is taken
     */
    public StoredRule addManual(ObjectNode request) {
        boolean force = ManualRuleRequest.force(request);
        return add(ManualRuleRequest.read(request, clock.instant()), Optional.empty(), force);
    }

    /** What a refusal of a manual rule tells the operator. */
    public static final String FORCE_ADVICE = "; if that is what you want, add it with force"
            + " (levee rules add --force, or \"force\": true in the API's body)";

    /** Removes rule {@code id}; false when there is none. */
    public synchronized boolean remove(String id) {
        List<StoredRule> next = rules.stream().filter(r -> !r.id().equals(id)).toList();
        if (next.size() == rules.size()) {
            return false;
        }
        commit(next);
        return true;
    }

    /** Removes the rules whose expiry time has passed; returns their ids. */
    public synchronized List<String> expire() {
        Instant now = clock.instant();
        List<String> expired =
                rules.stream().filter(r -> r.expiredAt(now)).map(StoredRule::id).toList();
        if (!expired.isEmpty()) {
            commit(rules.stream().filter(r -> !r.expiredAt(now)).toList());
        }
        return expired;
    }

    private void commit(List<StoredRule> next) {
        List<StoredRule> previous = rules;
        target.apply(ruleSet(next), datacenter);
        try {
            store.save(next);
        } catch (RuntimeException e) {
            // Keep program and file in agreement: the old rules go back in.
            target.apply(ruleSet(previous), datacenter);
            throw e;
        }
        rules = List.copyOf(next);
        listeners.forEach(Runnable::run);
    }

    private static RuleSet ruleSet(List<StoredRule> rules) {
        return new RuleSet(version(rules), rules.stream().map(StoredRule::rule).toList());
    }

    /** {@code sha256-} and 12 hex digits of the rules' JSON: equal rules, equal version, on every node. */
    static String version(List<StoredRule> rules) {
        return RuleCodec.version(rules.stream().map(StoredRule::rule).toList());
    }
}
