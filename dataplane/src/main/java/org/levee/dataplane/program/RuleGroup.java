package org.levee.dataplane.program;

import java.util.List;
import java.util.Map;

/**
 * Rules an indexed program guards together (see {@link org.levee.compiler.FilterIndex}): an
 * ordered list of buckets, each the constants {@code rule_<id>_enabled} of its rules. The guard
 * {@link DataplaneProgram#groupSymbol groupSymbol(g, from, to)} is decided, when the program is
 * loaded, by whether a rule of buckets {@code from..to-1} is enabled: so a search-tree node whose
 * side has no enabled rule, or a whole class, vanishes as a disabled rule does.
 *
 * @param buckets each bucket's rule constants
 */
public record RuleGroup(List<List<String>> buckets) {
    public RuleGroup {
        buckets = buckets.stream().map(List::copyOf).toList();
    }

    /**
     * For each i, how many of buckets {@code 0..i-1} have an enabled rule under {@code constants}
     * (a rule not given counts as disabled): {@code enabled[to] - enabled[from] > 0} decides a range.
     */
    public int[] enabledBefore(Map<String, Long> constants) {
        int[] before = new int[buckets.size() + 1];
        for (int b = 0; b < buckets.size(); b++) {
            boolean any = buckets.get(b).stream().anyMatch(symbol -> constants.getOrDefault(symbol, 0L) != 0L);
            before[b + 1] = before[b] + (any ? 1 : 0);
        }
        return before;
    }
}
