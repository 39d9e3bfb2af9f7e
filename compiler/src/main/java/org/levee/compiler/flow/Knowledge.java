package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.JEQ;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.levee.compiler.flow.Value.Const;

/**
 * What is known about the packet at a point of a program, because the code on every path to
 * that point tested it: the outcome of {@linkplain Predicate predicates}, and guards that failed
 * (the packet is shorter than some size, or than some {@code X + n}). Only
 * {@linkplain Value#isDefinite definite} statements are kept, so knowledge gathered in one filter
 * is true in any filter that runs after it on the same packet — BPF+'s redundant-predicate
 * elimination across filters. Immutable.
 */
public final class Knowledge {
    /** No packet is longer than this many bytes (XDP): the absence of a length bound. */
    private static final int NO_BOUND = Integer.MAX_VALUE;

    public static final Knowledge NOTHING = new Knowledge(Map.of(), NO_BOUND, Map.of());

    /** The outcomes; for knowledge made by {@link #with}, null until first needed whole. */
    private Map<Predicate, Boolean> outcomes;
    /**
     * Knowledge made by {@link #with} is this knowledge plus one outcome, without a copy: a
     * filter's analysis adds an outcome at every test, and most of them are only asked about.
     */
    private final Knowledge base;

    private final Predicate added;
    private final boolean addedOutcome;
    /** Outcomes added since the last whole map. */
    private final int depth;
    /** The packet has fewer bytes than this ({@link #NO_BOUND}: not known). */
    private final int shorterThan;
    /** For a value X: the smallest n known with X + n beyond the packet's end. */
    private final Map<Value, Integer> pointerShort;
    /** Values a taken {@code jeq #k} pinned to a constant (they decide every test of the value); made when first needed. */
    private Map<Value, Integer> constants;
    /** Computed when first asked for: most knowledge is never a key. */
    private int hash;

    private boolean hashed;

    private Knowledge(Map<Predicate, Boolean> outcomes, int shorterThan, Map<Value, Integer> pointerShort) {
        this.outcomes = outcomes;
        this.shorterThan = shorterThan;
        this.pointerShort = pointerShort;
        this.base = null;
        this.added = null;
        this.addedOutcome = false;
        this.depth = 0;
    }

    private Knowledge(Knowledge base, Predicate added, boolean outcome) {
        this.base = base;
        this.added = added;
        this.addedOutcome = outcome;
        this.depth = base.depth + 1;
        this.shorterThan = base.shorterThan;
        this.pointerShort = base.pointerShort;
    }

    /** All outcomes, made into one map the first time they are needed. */
    private Map<Predicate, Boolean> outcomes() {
        if (outcomes == null) {
            Map<Predicate, Boolean> all = new HashMap<>(base.outcomes());
            all.put(added, addedOutcome);
            outcomes = all;
        }
        return outcomes;
    }

    /** Most outcomes added one by one before they are gathered into a map. */
    private static final int MAX_DEPTH = 24;

    /** Whether {@code p} having {@code outcome} pins its value: a taken {@code jeq #k}. */
    private static boolean pins(Predicate p, boolean outcome) {
        return outcome && p.op() == JEQ && p.b() instanceof Const;
    }

    private Map<Value, Integer> constants() {
        if (constants == null) {
            Map<Value, Integer> pinned = new HashMap<>();
            outcomes().forEach((p, outcome) -> {
                if (pins(p, outcome)) {
                    pinned.put(p.a(), ((Const) p.b()).k());
                }
            });
            constants = pinned;
        }
        return constants;
    }

    /**
     * The outcome of {@code p} on this packet, if known: recorded directly, or computed from a
     * constant the tested value is known to equal; null otherwise.
     */
    public Boolean decide(Predicate p) {
        Knowledge k = this;
        for (; k.outcomes == null; k = k.base) {
            if (k.added.equals(p)) {
                return k.addedOutcome;
            }
            if (pins(k.added, k.addedOutcome) && k.added.a().equals(p.a())) {
                Boolean pinned = p.evaluateWith(((Const) k.added.b()).k());
                if (pinned != null) {
                    return pinned;
                }
            }
        }
        Boolean known = k.outcomes.get(p);
        if (known != null) {
            return known;
        }
        if (!(p.b() instanceof Const)) {
            return null;
        }
        Integer pinned = k.constants().get(p.a());
        return pinned == null ? null : p.evaluateWith(pinned);
    }

    /** The outcome of {@code p}: from its operands when both are constants, else {@link #decide}. */
    public Boolean outcomeOf(Predicate p) {
        Boolean constant = p.evaluate();
        return constant != null ? constant : decide(p);
    }

    /** This knowledge and the outcome of {@code p}; {@code p} is ignored unless definite. */
    public Knowledge with(Predicate p, boolean outcome) {
        if (!p.isDefinite() || Boolean.valueOf(outcome).equals(decide(p))) {
            return this;
        }
        if (depth >= MAX_DEPTH) {
            Map<Predicate, Boolean> more = new HashMap<>(outcomes());
            more.put(p, outcome);
            return new Knowledge(more, shorterThan, pointerShort);
        }
        return new Knowledge(this, p, outcome);
    }

    /** This knowledge and "the packet has fewer than {@code bytes} bytes" (a failed guard). */
    public Knowledge withShorterThan(int bytes) {
        return bytes >= shorterThan ? this : new Knowledge(outcomes(), bytes, pointerShort);
    }

    /** This knowledge and "{@code x + bytes} is beyond the packet's end" (a failed guard of an indirect load). */
    public Knowledge withPointerShort(Value x, int bytes) {
        Integer known = pointerShort.get(x);
        if (!x.isDefinite() || known != null && known <= bytes) {
            return this;
        }
        Map<Value, Integer> more = new HashMap<>(pointerShort);
        more.put(x, bytes);
        return new Knowledge(outcomes(), shorterThan, more);
    }

    /**
     * Whether a guard that needs {@code bytes} bytes from {@code base} (null: the packet start;
     * else the value of X of an indirect load) fails on this packet for sure.
     */
    public boolean guardFails(Value base, long bytes) {
        if (base == null) {
            return bytes >= shorterThan;
        }
        Integer known = pointerShort.get(base);
        return known != null && bytes >= known;
    }

    /**
     * What both know: the knowledge at a point two paths join. A statement one of them holds
     * counts when the other decides it the same way, recorded or derived from a pinned value.
     */
    public Knowledge intersect(Knowledge other) {
        if (this == other) {
            return this;
        }
        Knowledge shared = sharedBase(other);
        if (shared != null) {
            return shared;
        }
        Map<Predicate, Boolean> common = new HashMap<>();
        outcomes().forEach((p, outcome) -> {
            if (outcome.equals(other.decide(p))) {
                common.put(p, outcome);
            }
        });
        other.outcomes().forEach((p, outcome) -> {
            if (!common.containsKey(p) && outcome.equals(decide(p))) {
                common.put(p, outcome);
            }
        });
        Map<Value, Integer> pointers = new HashMap<>();
        pointerShort.forEach((x, n) -> {
            Integer theirs = other.pointerShort.get(x);
            if (theirs != null) {
                pointers.put(x, Math.max(n, theirs));
            }
        });
        int bound = Math.max(shorterThan, other.shorterThan);
        if (common.equals(outcomes()) && pointers.equals(pointerShort) && bound == shorterThan) {
            return this;
        }
        return new Knowledge(common, bound, pointers).simplified();
    }

    /**
     * The knowledge both were made from by {@link #with}, when no outcome added since is on both
     * paths (the two sides of a test, say), else null: the common case of a join, answered
     * without comparing maps. It may know less than the full intersection (an outcome one path
     * added and the other derives), never more. Only when their bounds agree.
     */
    private Knowledge sharedBase(Knowledge other) {
        if (shorterThan != other.shorterThan || pointerShort != other.pointerShort) {
            return null;
        }
        Set<Knowledge> mine = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Knowledge k = this; k != null; k = k.base) {
            mine.add(k);
        }
        Knowledge common = other;
        while (common != null && !mine.contains(common)) {
            common = common.base;
        }
        if (common == null) {
            return null;
        }
        Map<Predicate, Boolean> addedHere = new HashMap<>();
        for (Knowledge k = this; k != common; k = k.base) {
            addedHere.putIfAbsent(k.added, k.addedOutcome);
        }
        for (Knowledge k = other; k != common; k = k.base) {
            if (Boolean.valueOf(k.addedOutcome).equals(addedHere.get(k.added))) {
                return null; // both paths learned it: the maps say more than the common base
            }
        }
        return common;
    }

    /**
     * Without what a pinned value decides anyway ({@code a = 0x86dd} makes {@code a = 0x800}
     * false): knowledge that says the same then has the same statements, and equals.
     */
    private Knowledge simplified() {
        Map<Value, Integer> pinned = constants();
        if (pinned.isEmpty()) {
            return this;
        }
        Map<Predicate, Boolean> kept = new HashMap<>();
        outcomes().forEach((p, outcome) -> {
            if (pins(p, outcome) || !(p.b() instanceof Const) || !pinned.containsKey(p.a())) {
                kept.put(p, outcome);
            }
        });
        return kept.size() == outcomes().size() ? this : new Knowledge(kept, shorterThan, pointerShort);
    }

    /** Decides which statements are still worth knowing (see {@link #retain}). */
    public interface Relevance {
        /** Whether some code yet to run tests {@code p}. */
        boolean tests(Predicate p);

        /** Whether some code yet to run tests or computes {@code v}, or loads through it as X. */
        boolean uses(Value v);

        /** Whether some code yet to run guards packet loads at all. */
        boolean loads();
    }

    /** Only what {@code relevance} says code yet to run can use: fewer facts, more code shared. */
    public Knowledge retain(Relevance relevance) {
        Map<Predicate, Boolean> kept = new HashMap<>();
        outcomes().forEach((p, outcome) -> {
            if (relevance.tests(p) || pins(p, outcome) && relevance.uses(p.a())) {
                kept.put(p, outcome);
            }
        });
        Map<Value, Integer> pointers = new HashMap<>();
        pointerShort.forEach((x, n) -> {
            if (relevance.uses(x)) {
                pointers.put(x, n);
            }
        });
        int bound = relevance.loads() ? shorterThan : NO_BOUND;
        Knowledge result =
                kept.size() == outcomes().size() && pointers.size() == pointerShort.size() && bound == shorterThan
                        ? this
                        : new Knowledge(kept, bound, pointers);
        return result.simplified();
    }

    /** Whether everything this knows, {@code other} knows too (recorded or derived). */
    public boolean isImpliedBy(Knowledge other) {
        if (shorterThan < other.shorterThan) {
            return false;
        }
        for (Map.Entry<Predicate, Boolean> e : outcomes().entrySet()) {
            if (!e.getValue().equals(other.decide(e.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<Value, Integer> e : pointerShort.entrySet()) {
            Integer theirs = other.pointerShort.get(e.getKey());
            if (theirs == null || theirs > e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** How many statements this holds (a measure for choosing among states, not an identity). */
    public int size() {
        return outcomes().size() + pointerShort.size() + (shorterThan == NO_BOUND ? 0 : 1);
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof Knowledge k
                        && hashCode() == k.hashCode()
                        && shorterThan == k.shorterThan
                        && outcomes().equals(k.outcomes())
                        && pointerShort.equals(k.pointerShort);
    }

    @Override
    public int hashCode() {
        if (!hashed) {
            hash = Objects.hash(outcomes(), shorterThan, pointerShort);
            hashed = true;
        }
        return hash;
    }

    @Override
    public String toString() {
        return "Knowledge" + outcomes() + (shorterThan == NO_BOUND ? "" : " len<" + shorterThan)
                + (pointerShort.isEmpty() ? "" : " x+n>len " + pointerShort);
    }
}
