package org.levee.dataplane.program;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.levee.ebpf.asm.AssembledProgram;

/**
 * The data-plane program of one rule set: the entry program (sampler, first rules) and the
 * programs it tail-calls through {@code levee_chain} when the rules do not fit in one. Each
 * still has its relocations: the guards of {@code rule_<id>_enabled}, the guard of its tail call
 * ({@link #chainSymbol}), the guards of rule groups ({@link #groupSymbol}) and the maps by name.
 *
 * @param programs    the chain, entry first
 * @param sampleBytes packet bytes copied into each sample
 * @param groups      the rule groups the guards named by {@link #groupSymbol} refer to, by number
 */
public record DataplaneProgram(List<AssembledProgram> programs, int sampleBytes, List<RuleGroup> groups) {
    private static final Pattern GROUP_SYMBOL = Pattern.compile("levee_group(\\d+)_(\\d+)_(\\d+)");

    public DataplaneProgram {
        programs = List.copyOf(programs);
        groups = List.copyOf(groups);
        if (programs.isEmpty()) {
            throw new IllegalArgumentException("a data-plane program has at least its entry program");
        }
    }

    /** A program without rule groups (its rules in a chain, not indexed). */
    public DataplaneProgram(List<AssembledProgram> programs, int sampleBytes) {
        this(programs, sampleBytes, List.of());
    }

    /**
     * The constant guarding code for buckets {@code from..to-1} of rule group {@code group}:
     * {@code levee_group<group>_<from>_<to>}. Not a rule's constant: the loader sets it, to 1
     * when a rule of those buckets is enabled, else 0 ({@link #groupConstants}).
     */
    public static String groupSymbol(int group, int from, int to) {
        return "levee_group" + group + "_" + from + "_" + to;
    }

    /**
     * The values of the group symbols among {@code symbols} under the rules' {@code constants};
     * other symbols are left out.
     *
     * @throws IllegalArgumentException for a group symbol naming a group or range this program does not have
     */
    public Map<String, Long> groupConstants(Collection<String> symbols, Map<String, Long> constants) {
        Map<String, Long> values = new HashMap<>();
        Map<Integer, int[]> enabledBefore = new HashMap<>();
        for (String symbol : symbols) {
            Optional<int[]> range = parseGroupSymbol(symbol);
            if (range.isEmpty()) {
                continue;
            }
            int group = range.get()[0];
            int from = range.get()[1];
            int to = range.get()[2];
            if (group >= groups.size() || to > groups.get(group).buckets().size()) {
                throw new IllegalArgumentException("guard '" + symbol + "' names buckets " + from + ".." + (to - 1)
                        + " of group " + group + ", which the program's " + groups.size() + " groups do not have");
            }
            int[] before =
                    enabledBefore.computeIfAbsent(group, g -> groups.get(g).enabledBefore(constants));
            values.put(symbol, before[to] - before[from] > 0 ? 1L : 0L);
        }
        return values;
    }

    /** {group, from, to} of a well-formed group symbol ({@code from < to}), else empty. */
    public static Optional<int[]> parseGroupSymbol(String symbol) {
        Matcher m = GROUP_SYMBOL.matcher(symbol);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            int[] range = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
            return range[1] < range[2] ? Optional.of(range) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** ELF section of program {@code index} of the chain: {@code xdp}, then {@code xdp/chain1}… */
    public static String section(int index) {
        return index == 0 ? "xdp" : "xdp/chain" + index;
    }

    /**
     * The constant guarding the tail call into program {@code index} of the chain:
     * {@code levee_chain<index>_loaded}. Not a rule's constant and not in the object's constants:
     * the loader sets it, to 1 when program {@code index} or a later one is loaded, else 0.
     */
    public static String chainSymbol(int index) {
        if (index < 1) {
            throw new IllegalArgumentException("chain program " + index + " is not tail-called (the entry is 0)");
        }
        return "levee_chain" + index + "_loaded";
    }

    /**
     * The constant of rule {@code id}'s slot in {@link DataplaneMaps#RULE_STATS}:
     * {@code rule_<id>_counter}. Not in the object's constants: the loader sets it from the slots
     * pinned with the maps, so that one object serves every node.
     */
    public static String counterSymbol(String id) {
        return COUNTER_PREFIX + id + COUNTER_SUFFIX;
    }

    /** The rule id of a {@link #counterSymbol}, else empty. */
    public static Optional<String> parseCounterSymbol(String symbol) {
        return symbol.startsWith(COUNTER_PREFIX)
                        && symbol.endsWith(COUNTER_SUFFIX)
                        && symbol.length() > COUNTER_PREFIX.length() + COUNTER_SUFFIX.length()
                ? Optional.of(symbol.substring(COUNTER_PREFIX.length(), symbol.length() - COUNTER_SUFFIX.length()))
                : Optional.empty();
    }

    private static final String COUNTER_PREFIX = "rule_";
    private static final String COUNTER_SUFFIX = "_counter";

    /** Symbol of program {@code index}: {@code levee}, then {@code levee_chain1}… */
    public static String symbol(int index) {
        return index == 0 ? "levee" : "levee_chain" + index;
    }
}
