package org.levee.upstream;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of whole numbers in {@code 0..max}, as sorted, disjoint, non-adjacent closed intervals: the
 * values a FlowSpec numeric component (protocol, port, packet length, DSCP) lets through. A
 * conjunction of conditions is the intersection of their sets.
 *
 * @param max       the largest value of the field
 * @param intervals {@code [low, high]} pairs, sorted, disjoint and not adjacent
 */
public record ValueSet(long max, List<long[]> intervals) {

    public ValueSet {
        if (max < 0) {
            throw new IllegalArgumentException("max " + max + " is negative");
        }
        List<long[]> copy = new ArrayList<>();
        long previousHigh = -2;
        for (long[] interval : intervals) {
            if (interval.length != 2
                    || interval[0] > interval[1]
                    || interval[0] < 0
                    || interval[1] > max
                    || interval[0] <= previousHigh + 1) {
                throw new IllegalArgumentException("intervals must be sorted, disjoint, not adjacent and in 0.." + max);
            }
            copy.add(interval.clone());
            previousHigh = interval[1];
        }
        intervals = List.copyOf(copy);
    }

    /** Every value of {@code 0..max}. */
    public static ValueSet all(long max) {
        return new ValueSet(max, List.<long[]>of(new long[] {0, max}));
    }

    /** The values {@code low..high} (empty when low > high), clipped to {@code 0..max}. */
    public static ValueSet range(long max, long low, long high) {
        long lo = Math.max(0, low);
        long hi = Math.min(max, high);
        return lo > hi ? new ValueSet(max, List.of()) : new ValueSet(max, List.<long[]>of(new long[] {lo, hi}));
    }

    /** One value. */
    public static ValueSet of(long max, long value) {
        return range(max, value, value);
    }

    /** The values {@code value op x} holds for, op one of {@code == != < <= > >=}. */
    public static ValueSet compare(long max, String op, long value) {
        return switch (op) {
            case "==", "=" -> range(max, value, value);
            case "!=" -> range(max, 0, value - 1).union(range(max, value + 1, max));
            case "<" -> range(max, 0, value - 1);
            case "<=" -> range(max, 0, value);
            case ">" -> range(max, value + 1, max);
            case ">=" -> range(max, value, max);
            default -> throw new IllegalArgumentException("comparison '" + op + "' is not one of == != < <= > >=");
        };
    }

    public boolean isEmpty() {
        return intervals.isEmpty();
    }

    /** True when every value of {@code 0..max} is in the set: the condition says nothing. */
    public boolean isAll() {
        return intervals.size() == 1
                && intervals.getFirst()[0] == 0
                && intervals.getFirst()[1] == max;
    }

    public boolean contains(long value) {
        for (long[] interval : intervals) {
            if (value >= interval[0] && value <= interval[1]) {
                return true;
            }
        }
        return false;
    }

    /** True when every value of this set is in {@code other}. */
    public boolean isSubsetOf(ValueSet other) {
        return intersect(other).equals(this);
    }

    /** The single value of the set, or -1 when it has none or several. */
    public long single() {
        return intervals.size() == 1 && intervals.getFirst()[0] == intervals.getFirst()[1]
                ? intervals.getFirst()[0]
                : -1;
    }

    public ValueSet intersect(ValueSet other) {
        List<long[]> out = new ArrayList<>();
        for (long[] a : intervals) {
            for (long[] b : other.intervals) {
                long lo = Math.max(a[0], b[0]);
                long hi = Math.min(a[1], b[1]);
                if (lo <= hi) {
                    out.add(new long[] {lo, hi});
                }
            }
        }
        return normalised(Math.min(max, other.max), out);
    }

    public ValueSet union(ValueSet other) {
        List<long[]> out = new ArrayList<>(intervals);
        out.addAll(other.intervals);
        return normalised(Math.max(max, other.max), out);
    }

    /** Every value plus {@code delta}, in a set of maximum {@code newMax} (values outside are dropped). */
    public ValueSet shift(long delta, long newMax) {
        List<long[]> out = new ArrayList<>();
        for (long[] interval : intervals) {
            long lo = Math.max(0, interval[0] + delta);
            long hi = Math.min(newMax, interval[1] + delta);
            if (lo <= hi) {
                out.add(new long[] {lo, hi});
            }
        }
        return normalised(newMax, out);
    }

    private static ValueSet normalised(long max, List<long[]> raw) {
        List<long[]> sorted = new ArrayList<>(raw);
        sorted.sort((x, y) -> Long.compare(x[0], y[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] interval : sorted) {
            if (!out.isEmpty() && interval[0] <= out.getLast()[1] + 1) {
                out.getLast()[1] = Math.max(out.getLast()[1], interval[1]);
            } else {
                out.add(interval.clone());
            }
        }
        return new ValueSet(max, out);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ValueSet v) || v.max != max || v.intervals.size() != intervals.size()) {
            return false;
        }
        for (int i = 0; i < intervals.size(); i++) {
            if (!java.util.Arrays.equals(intervals.get(i), v.intervals.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(max);
        for (long[] interval : intervals) {
            h = 31 * h + java.util.Arrays.hashCode(interval);
        }
        return h;
    }

    /** {@code {17}}, {@code {80..90, 443}}, {@code {}}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (long[] interval : intervals) {
            parts.add(interval[0] == interval[1] ? Long.toString(interval[0]) : interval[0] + ".." + interval[1]);
        }
        return "{" + String.join(", ", parts) + "}";
    }
}
