package org.levee.compiler.flow;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Structural equality of two {@link Value} DAGs in time linear in their size: a pair of nodes
 * proven equal is remembered (by identity), so a subexpression shared many times is compared
 * once. A failed comparison ends the whole comparison, so failures need no memory. Most values
 * are small trees: a comparison first runs without memory, and only one that goes past a few
 * dozen nodes starts again with it.
 */
final class ValueEquality {
    /** Node pairs compared without memory before starting again with it: most values are small trees. */
    private static final int PLAIN_STEPS = 64;

    private final Map<Value, Set<Value>> proven;
    private int steps;
    /** Set when a comparison without memory went on too long: the values share subexpressions. */
    private boolean gaveUp;

    private ValueEquality(boolean remember) {
        this.proven = remember ? new IdentityHashMap<>() : null;
    }

    static boolean equal(Value x, Value y) {
        ValueEquality plain = new ValueEquality(false);
        boolean equal = plain.compare(x, y);
        return plain.gaveUp ? new ValueEquality(true).compare(x, y) : equal;
    }

    private boolean compare(Value x, Value y) {
        if (x == y) {
            return true;
        }
        if (x.hashCode() != y.hashCode()) { // cached for composite values, cheap for the leaves
            return false;
        }
        if (proven == null) {
            if (gaveUp || ++steps > PLAIN_STEPS) {
                gaveUp = true;
                return false;
            }
        } else {
            Set<Value> known = proven.get(x);
            if (known != null && known.contains(y)) {
                return true;
            }
        }
        boolean equal = switch (x) {
            case Value.Alu a
            when y instanceof Value.Alu b -> a.op() == b.op() && compare(a.a(), b.a()) && compare(a.b(), b.b());
            case Value.IndirectLoad a
            when y instanceof Value.IndirectLoad b -> a.width() == b.width() && a.k() == b.k() && compare(a.x(), b.x());
            case Value.Alu a -> false;
            case Value.IndirectLoad a -> false;
            default -> x.equals(y); // leaves: records of plain numbers
        };
        if (equal && proven != null) {
            proven.computeIfAbsent(x, k -> Collections.newSetFromMap(new IdentityHashMap<>()))
                    .add(y);
        }
        return equal;
    }
}
