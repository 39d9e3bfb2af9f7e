package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.JEQ;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
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

    private final Map<Predicate, Boolean> outcomes;
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
    }

    private Map<Value, Integer> constants() {
        if (constants == null) {
            Map<Value, Integer> pinned = new HashMap<>();
            outcomes.forEach((p, outcome) -> {
                if (outcome && p.op() == JEQ && p.b() instanceof Const c) {
                    pinned.put(p.a(), c.k());
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
        Boolean known = outcomes.get(p);
        if (known != null) {
            return known;
        }
        if (!(p.b() instanceof Const)) {
            return null;
        }
        Integer pinned = constants().get(p.a());
        return pinned == null ? null : p.evaluateWith(pinned);
    }

    /** This knowledge and the outcome of {@code p}; {@code p} is ignored unless definite. */
    public Knowledge with(Predicate p, boolean outcome) {
        if (!p.isDefinite() || Boolean.valueOf(outcome).equals(outcomes.get(p))) {
            return this;
        }
        Map<Predicate, Boolean> more = new HashMap<>(outcomes);
        more.put(p, outcome);
        return new Knowledge(more, shorterThan, pointerShort);
    }

    /** This knowledge and "the packet has fewer than {@code bytes} bytes" (a failed guard). */
    public Knowledge withShorterThan(int bytes) {
        return bytes >= shorterThan ? this : new Knowledge(outcomes, bytes, pointerShort);
    }

    /** This knowledge and "{@code x + bytes} is beyond the packet's end" (a failed guard of an indirect load). */
    public Knowledge withPointerShort(Value x, int bytes) {
        Integer known = pointerShort.get(x);
        if (!x.isDefinite() || known != null && known <= bytes) {
            return this;
        }
        Map<Value, Integer> more = new HashMap<>(pointerShort);
        more.put(x, bytes);
        return new Knowledge(outcomes, shorterThan, more);
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

    /** What both know: the knowledge at a point two paths join. */
    public Knowledge intersect(Knowledge other) {
        if (this == other) {
            return this;
        }
        Map<Predicate, Boolean> common = new HashMap<>();
        Map<Predicate, Boolean> smaller = outcomes.size() <= other.outcomes.size() ? outcomes : other.outcomes;
        Map<Predicate, Boolean> larger = smaller == outcomes ? other.outcomes : outcomes;
        smaller.forEach((p, outcome) -> {
            if (outcome.equals(larger.get(p))) {
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
        if (common.size() == outcomes.size() && pointers.equals(pointerShort) && bound == shorterThan) {
            return this;
        }
        return new Knowledge(common, bound, pointers);
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
        outcomes.forEach((p, outcome) -> {
            boolean pins = outcome && p.op() == JEQ && p.b() instanceof Const;
            if (relevance.tests(p) || pins && relevance.uses(p.a())) {
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
        if (kept.size() == outcomes.size() && pointers.size() == pointerShort.size() && bound == shorterThan) {
            return this;
        }
        return new Knowledge(kept, bound, pointers);
    }

    /** Whether everything this knows, {@code other} knows too. */
    public boolean isImpliedBy(Knowledge other) {
        if (shorterThan < other.shorterThan) {
            return false;
        }
        for (Map.Entry<Predicate, Boolean> e : outcomes.entrySet()) {
            if (!e.getValue().equals(other.outcomes.get(e.getKey()))) {
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
        return outcomes.size() + pointerShort.size() + (shorterThan == NO_BOUND ? 0 : 1);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Knowledge k && hashCode() == k.hashCode() && shorterThan == k.shorterThan
                && outcomes.equals(k.outcomes) && pointerShort.equals(k.pointerShort);
    }

    @Override
    public int hashCode() {
        if (!hashed) {
            hash = Objects.hash(outcomes, shorterThan, pointerShort);
            hashed = true;
        }
        return hash;
    }

    @Override
    public String toString() {
        return "Knowledge" + outcomes + (shorterThan == NO_BOUND ? "" : " len<" + shorterThan)
                + (pointerShort.isEmpty() ? "" : " x+n>len " + pointerShort);
    }
}
