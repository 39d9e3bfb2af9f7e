package org.levee.upstream;

import java.util.BitSet;

/**
 * A set of values of a small bit field (TCP flags: 8 bits; FlowSpec's fragment flags: 4 bits), as
 * the field's allowed values. Conditions such as {@code tcp[13] & 0x12 == 0x02} are sets; a
 * conjunction is their intersection, and FlowSpec's bitmask terms can express a set exactly when it
 * is one pattern (some bits fixed, the rest free) or the complement of one.
 *
 * @param width  the field's width in bits, 1..8
 * @param values the allowed values
 */
public record BitPatternSet(int width, BitSet values) {

    public BitPatternSet {
        if (width < 1 || width > 8) {
            throw new IllegalArgumentException("width " + width + " is outside 1..8");
        }
        values = (BitSet) values.clone();
        if (values.length() > (1 << width)) {
            throw new IllegalArgumentException("a value does not fit in " + width + " bits");
        }
    }

    /** Every value. */
    public static BitPatternSet all(int width) {
        BitSet all = new BitSet();
        all.set(0, 1 << width);
        return new BitPatternSet(width, all);
    }

    /** The values {@code x} with {@code (x & mask) == value}, or {@code != value} when {@code equal} is false. */
    public static BitPatternSet masked(int width, int mask, int value, boolean equal) {
        BitSet set = new BitSet();
        for (int x = 0; x < 1 << width; x++) {
            if (((x & mask) == value) == equal) {
                set.set(x);
            }
        }
        return new BitPatternSet(width, set);
    }

    public boolean contains(int value) {
        return values.get(value);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean isAll() {
        return values.cardinality() == 1 << width;
    }

    public BitPatternSet intersect(BitPatternSet other) {
        if (other.width != width) {
            throw new IllegalArgumentException("bit fields of different widths");
        }
        BitSet set = (BitSet) values.clone();
        set.and(other.values);
        return new BitPatternSet(width, set);
    }

    public BitPatternSet complement() {
        BitSet set = (BitSet) values.clone();
        set.flip(0, 1 << width);
        return new BitPatternSet(width, set);
    }

    /**
     * The pattern this set is, as {@code {mask, value}} (the values x with x & mask == value), or
     * null when it is not one pattern (or is empty).
     */
    public int[] pattern() {
        if (values.isEmpty()) {
            return null;
        }
        int fieldMask = (1 << width) - 1;
        int ones = fieldMask;
        int zeros = fieldMask;
        for (int x = values.nextSetBit(0); x >= 0; x = values.nextSetBit(x + 1)) {
            ones &= x;
            zeros &= ~x;
        }
        int mask = (ones | zeros) & fieldMask;
        int free = width - Integer.bitCount(mask);
        return values.cardinality() == 1 << free ? new int[] {mask, ones} : null;
    }

    @Override
    public String toString() {
        int[] p = pattern();
        if (isAll()) {
            return "any";
        }
        if (p != null) {
            return String.format("& 0x%x == 0x%x", p[0], p[1]);
        }
        int[] c = complement().pattern();
        return c != null ? String.format("& 0x%x != 0x%x", c[0], c[1]) : values.toString();
    }
}
