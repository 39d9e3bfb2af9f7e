package org.levee.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One component of a FlowSpec NLRI other than the destination prefix: a type and its list of
 * operator/value terms, as on the wire (RFC 8955 §4.2.1) less the end-of-list and length bits,
 * which follow from the list. Terms are evaluated left to right, each ANDed with the result so far
 * when its {@code and} bit is set and ORed otherwise; the encoders below only produce lists that
 * mean the same when AND binds tighter than OR, the other reading found in implementations.
 */
public sealed interface FlowSpecComponent {

    ComponentType type();

    /** True when a packet whose field has {@code value} satisfies the component. */
    boolean test(long value);

    /**
     * A numeric component's term: true when the value is less than, greater than or equal to
     * {@code value}, as the bits say.
     */
    record NumericTerm(boolean and, boolean lessThan, boolean greaterThan, boolean equal, long value) {
        public boolean test(long data) {
            return (lessThan && data < value) || (greaterThan && data > value) || (equal && data == value);
        }

        /** The operator byte without end-of-list and length bits. */
        public int operator() {
            return (and ? 0x40 : 0) | (lessThan ? 0x04 : 0) | (greaterThan ? 0x02 : 0) | (equal ? 0x01 : 0);
        }
    }

    /**
     * A bitmask component's term: with {@code match}, true when every bit of {@code value} is set
     * in the data; without, when any is; {@code not} inverts the result.
     */
    record BitmaskTerm(boolean and, boolean not, boolean match, int value) {
        public boolean test(long data) {
            boolean r = match ? (data & value) == value : (data & value) != 0;
            return r != not;
        }

        /** The operator byte without end-of-list and length bits. */
        public int operator() {
            return (and ? 0x40 : 0) | (not ? 0x02 : 0) | (match ? 0x01 : 0);
        }
    }

    /** A numeric component (protocol, ports, packet length, DSCP). */
    record Numeric(ComponentType type, List<NumericTerm> terms) implements FlowSpecComponent {
        public Numeric {
            Objects.requireNonNull(type, "type");
            if (type.bitmask()) {
                throw new IllegalArgumentException(type + " takes bitmask terms");
            }
            terms = List.copyOf(terms);
            if (terms.isEmpty() || terms.getFirst().and()) {
                throw new IllegalArgumentException(type + ": the term list is empty or starts with AND");
            }
        }

        /**
         * The component letting exactly the values of {@code set} through: one term per single value
         * ({@code ==v}), {@code >=low &<=high} per range, {@code <=high} and {@code >=low} at the ends.
         * Sorted disjoint intervals make the left-to-right reading equal to the AND-first one.
         */
        public static Numeric of(ComponentType type, ValueSet set) {
            if (set.isEmpty() || set.isAll()) {
                throw new IllegalArgumentException(
                        type + ": no component for " + (set.isEmpty() ? "no value" : "every value"));
            }
            List<NumericTerm> terms = new ArrayList<>();
            for (long[] interval : set.intervals()) {
                long lo = interval[0];
                long hi = interval[1];
                if (lo == hi) {
                    terms.add(new NumericTerm(false, false, false, true, lo));
                } else if (lo == 0) {
                    terms.add(new NumericTerm(false, true, false, true, hi));
                } else if (hi == set.max()) {
                    terms.add(new NumericTerm(false, false, true, true, lo));
                } else {
                    terms.add(new NumericTerm(false, false, true, true, lo));
                    terms.add(new NumericTerm(true, true, false, true, hi));
                }
            }
            return new Numeric(type, terms);
        }

        @Override
        public boolean test(long value) {
            boolean result = false;
            for (int i = 0; i < terms.size(); i++) {
                NumericTerm t = terms.get(i);
                result = i == 0 ? t.test(value) : t.and() ? result && t.test(value) : result || t.test(value);
            }
            return result;
        }
    }

    /** A bitmask component (TCP flags, fragment). */
    record Bitmask(ComponentType type, List<BitmaskTerm> terms) implements FlowSpecComponent {
        public Bitmask {
            Objects.requireNonNull(type, "type");
            if (!type.bitmask()) {
                throw new IllegalArgumentException(type + " takes numeric terms");
            }
            terms = List.copyOf(terms);
            if (terms.isEmpty() || terms.getFirst().and()) {
                throw new IllegalArgumentException(type + ": the term list is empty or starts with AND");
            }
        }

        /**
         * The component letting exactly the values of {@code set} through, or null when bitmask terms
         * cannot say it without mixing AND and OR: a pattern (bits that must be set AND bits that
         * must be clear) or the complement of one (a bit that must be set is clear OR a bit that
         * must be clear is set).
         */
        public static Bitmask of(ComponentType type, BitPatternSet set) {
            if (set.isEmpty() || set.isAll()) {
                throw new IllegalArgumentException(
                        type + ": no component for " + (set.isEmpty() ? "no value" : "every value"));
            }
            int[] pattern = set.pattern();
            List<BitmaskTerm> terms = new ArrayList<>();
            if (pattern != null) {
                int ones = pattern[1];
                int zeros = pattern[0] & ~pattern[1];
                if (ones != 0) {
                    terms.add(new BitmaskTerm(false, false, true, ones));
                }
                if (zeros != 0) {
                    terms.add(new BitmaskTerm(!terms.isEmpty(), true, false, zeros));
                }
                return new Bitmask(type, terms);
            }
            int[] complement = set.complement().pattern();
            if (complement == null) {
                return null;
            }
            int ones = complement[1];
            int zeros = complement[0] & ~complement[1];
            if (ones != 0) {
                terms.add(new BitmaskTerm(false, true, true, ones));
            }
            if (zeros != 0) {
                terms.add(new BitmaskTerm(false, false, false, zeros));
            }
            return new Bitmask(type, terms);
        }

        @Override
        public boolean test(long value) {
            boolean result = false;
            for (int i = 0; i < terms.size(); i++) {
                BitmaskTerm t = terms.get(i);
                result = i == 0 ? t.test(value) : t.and() ? result && t.test(value) : result || t.test(value);
            }
            return result;
        }
    }
}
