package org.levee.detector.rule;

import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Where a rule applies: every data center, or the named ones.
 *
 * @param all true for every data center (then {@code names} is empty)
 * @param names the data centers, sorted
 */
public record DatacenterScope(boolean all, SortedSet<String> names) {

    public static final DatacenterScope ALL = new DatacenterScope(true, new TreeSet<>());

    public DatacenterScope {
        names = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(names));
        if (all && !names.isEmpty()) {
            throw new IllegalArgumentException("a scope of all data centers names none, not " + names);
        }
        if (!all && names.isEmpty()) {
            throw new IllegalArgumentException("a data center scope names at least one data center");
        }
    }

    public static DatacenterScope of(java.util.Collection<String> names) {
        return new DatacenterScope(false, new TreeSet<>(names));
    }

    public boolean includes(String datacenter) {
        return all || names.contains(datacenter);
    }

    @Override
    public String toString() {
        return all ? "all" : String.join(",", names);
    }
}
