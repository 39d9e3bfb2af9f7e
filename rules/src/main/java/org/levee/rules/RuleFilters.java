package org.levee.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;

/**
 * Turns rules' match sources into classic BPF (through a {@link MatchCompiler}) and remembers
 * every filter by its immutable {@link Match}, so that a rule set that grows by one rule compiles
 * one filter: the rules already there come from memory. Destinations become a second filter of
 * {@code dst net} primitives, so a rule of any source is limited the same way; they are
 * remembered by their list of prefixes. After each rule set it compiles, it forgets the filters
 * that set no longer uses. Thread-safe.
 */
public final class RuleFilters {

    private final MatchCompiler compiler;
    private final Map<Match, CbpfProgram> matches = new HashMap<>();
    private final Map<List<Prefix>, CbpfProgram> destinations = new HashMap<>();

    /** Filters compiled with {@link MatchCompiler#STANDARD}. */
    public RuleFilters() {
        this(MatchCompiler.STANDARD);
    }

    public RuleFilters(MatchCompiler compiler) {
        this.compiler = Objects.requireNonNull(compiler, "compiler");
    }

    /**
     * The validated classic BPF of {@code match}: compiled the first time, remembered afterwards.
     *
     * @throws IllegalArgumentException or {@link CbpfException} saying why it does not compile
     */
    public synchronized CbpfProgram match(Match match) {
        CbpfProgram program = matches.get(match);
        if (program == null) {
            program = compiler.compile(match);
            CbpfValidator.validate(program);
            matches.put(match, program);
        }
        return program;
    }

    /** The filter accepting packets to any of {@code prefixes}; empty when there are none. */
    public synchronized Optional<CbpfProgram> destinations(List<Prefix> prefixes) {
        if (prefixes.isEmpty()) {
            return Optional.empty();
        }
        CbpfProgram program = destinations.get(prefixes);
        if (program == null) {
            String expression =
                    prefixes.stream().map(Prefix::tcpdumpDestination).collect(Collectors.joining(" or "));
            program = compiler.compile(new Match.Filter(expression));
            CbpfValidator.validate(program);
            destinations.put(List.copyOf(prefixes), program);
        }
        return Optional.of(program);
    }

    /**
     * The filters of one rule, remembered for the rule set that will hold it.
     *
     * @throws RuleSetException naming the rule ({@code rule <id>}) and each field that does not compile
     */
    public RuleFilter compile(Rule rule) {
        List<String> problems = new ArrayList<>();
        RuleFilter filter = compile(rule, "", problems);
        if (!problems.isEmpty()) {
            throw new RuleSetException("rule " + rule.id(), problems);
        }
        return filter;
    }

    /**
     * Compiles every rule of {@code rules}, then forgets the filters of rules no longer in it.
     *
     * @param source names the rule set in errors (a file name, {@code rule set <version>})
     * @throws RuleSetException naming each rule and field that does not compile
     */
    public synchronized List<RuleFilter> compile(String source, RuleSet rules) {
        List<String> problems = new ArrayList<>();
        List<RuleFilter> filters = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.rules().get(i);
            RuleFilter filter = compile(rule, "rules[" + i + "] (id " + rule.id() + "): ", problems);
            if (filter != null) {
                filters.add(filter);
            }
        }
        Set<Match> usedMatches = new HashSet<>();
        Set<List<Prefix>> usedDestinations = new HashSet<>();
        for (Rule rule : rules.rules()) {
            usedMatches.add(rule.match());
            usedDestinations.add(rule.destinations());
        }
        matches.keySet().retainAll(usedMatches);
        destinations.keySet().retainAll(usedDestinations);
        if (!problems.isEmpty()) {
            throw new RuleSetException(source, problems);
        }
        return filters;
    }

    /** How many filters are remembered now (matches and destination lists). */
    public synchronized int remembered() {
        return matches.size() + destinations.size();
    }

    /** The rule's filters, or null after adding to {@code problems} what does not compile. */
    private synchronized RuleFilter compile(Rule rule, String where, List<String> problems) {
        CbpfProgram match = null;
        try {
            match = match(rule.match());
        } catch (IllegalArgumentException | CbpfException e) {
            problems.add(where + rule.match().field() + ": " + e.getMessage());
        }
        Optional<CbpfProgram> destination = Optional.empty();
        try {
            destination = destinations(rule.destinations());
        } catch (IllegalArgumentException | CbpfException e) {
            problems.add(where + "destinations: " + e.getMessage());
        }
        return match == null ? null : new RuleFilter(rule, match, destination);
    }
}
