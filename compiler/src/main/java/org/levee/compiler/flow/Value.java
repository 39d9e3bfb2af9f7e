package org.levee.compiler.flow;

import java.util.Objects;

/**
 * What a register or scratch word holds, as an expression over the packet: two equal values are
 * equal on every packet. The packet never changes while a filter runs, so a load is a pure
 * function of its offset.
 *
 * <p>Values form a DAG that shares subexpressions: a loop unrolled by a generator (the DNS name
 * walk uses the previous X twice per step) builds values whose tree form is exponentially large.
 * The composite values therefore compute their hash once and compare through {@link ValueEquality},
 * which remembers the pairs it has proven equal, so hashing and comparing stay linear in the DAG,
 * not in the tree.
 */
public sealed interface Value {

    /**
     * True when the value is a function of the packet alone: it names no {@link Unknown}, so it
     * means the same in every filter and may be compared across filters (see {@link Knowledge}).
     */
    default boolean isDefinite() {
        return true;
    }

    /** A constant (unsigned 32-bit in an int). */
    record Const(int k) implements Value {}

    /** The packet length. */
    record Len() implements Value {}

    /** A big-endian packet load of {@code width} bytes at absolute offset {@code offset}. */
    record Load(int width, long offset) implements Value {}

    /** A big-endian packet load of {@code width} bytes at offset {@code x + k} (no wrap-around). */
    final class IndirectLoad implements Value {
        private final int width;
        private final int k;
        private final Value x;
        private final int hash;
        private final boolean definite;

        public IndirectLoad(int width, int k, Value x) {
            this.width = width;
            this.k = k;
            this.x = Objects.requireNonNull(x);
            this.hash = ((31 + width) * 31 + k) * 31 + x.hashCode(); // no class hash: equal across runs
            this.definite = x.isDefinite();
        }

        @Override
        public boolean isDefinite() {
            return definite;
        }

        public int width() {
            return width;
        }

        public int k() {
            return k;
        }

        public Value x() {
            return x;
        }

        @Override
        public boolean equals(Object o) {
            return this == o
                    || o instanceof IndirectLoad other
                            && hash == other.hash
                            && (width == other.width && k == other.k && x == other.x
                                    || ValueEquality.equal(this, other));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "IndirectLoad[width=" + width + ", k=" + k + ", x=" + x + "]";
        }
    }

    /** {@code a op b} for a cBPF ALU operation. */
    final class Alu implements Value {
        private final int op;
        private final Value a;
        private final Value b;
        private final int hash;
        private final boolean definite;

        public Alu(int op, Value a, Value b) {
            this.op = op;
            this.a = Objects.requireNonNull(a);
            this.b = Objects.requireNonNull(b);
            this.hash = ((62 + op) * 31 + a.hashCode()) * 31 + b.hashCode(); // no class hash: equal across runs
            this.definite = a.isDefinite() && b.isDefinite();
        }

        @Override
        public boolean isDefinite() {
            return definite;
        }

        public int op() {
            return op;
        }

        public Value a() {
            return a;
        }

        public Value b() {
            return b;
        }

        @Override
        public boolean equals(Object o) {
            return this == o
                    || o instanceof Alu other
                            && hash == other.hash
                            && (op == other.op && a == other.a && b == other.b || ValueEquality.equal(this, other));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "Alu[op=" + op + ", a=" + a + ", b=" + b + "]";
        }
    }

    /**
     * A value this analysis cannot name: what meets at a join from different paths, numbered by
     * the instruction and the slot (0 = A, 1 = X, 2.. = M[]), so it is equal only to itself.
     */
    record Unknown(int instruction, int slot) implements Value {
        @Override
        public boolean isDefinite() {
            return false;
        }
    }
}
