package org.levee.compiler.flow;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Structural equality of two {@link Value} DAGs in time linear in their size: a pair of nodes
 * proven equal is remembered (by identity), so a subexpression shared many times is compared
 * once. A failed comparison ends the whole comparison, so failures need no memory.
 */
final class ValueEquality {
    private final Map<Value, Set<Value>> proven = new IdentityHashMap<>();

    private ValueEquality() {}

    static boolean equal(Value x, Value y) {
        return new ValueEquality().compare(x, y);
    }

    private boolean compare(Value x, Value y) {
        if (x == y) {
            return true;
        }
        if (x.hashCode() != y.hashCode()) { // cached for composite values, cheap for the leaves
            return false;
        }
        Set<Value> known = proven.get(x);
        if (known != null && known.contains(y)) {
            return true;
        }
        boolean equal = switch (x) {
            case Value.Alu a when y instanceof Value.Alu b ->
                    a.op() == b.op() && compare(a.a(), b.a()) && compare(a.b(), b.b());
            case Value.IndirectLoad a when y instanceof Value.IndirectLoad b ->
                    a.width() == b.width() && a.k() == b.k() && compare(a.x(), b.x());
            case Value.Alu a -> false;
            case Value.IndirectLoad a -> false;
            default -> x.equals(y); // leaves: records of plain numbers
        };
        if (equal) {
            proven.computeIfAbsent(x, k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(y);
        }
        return equal;
    }
}
