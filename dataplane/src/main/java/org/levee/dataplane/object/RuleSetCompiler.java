package org.levee.dataplane.object;

import java.util.List;
import java.util.Objects;
import org.levee.compiler.CompilationCache;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleSet;

/**
 * Compiles the rule sets of one data plane, one after another, reusing what each compile made
 * for the next: a session. A rule set rarely changes by more than a rule (the detector adds one,
 * an operator removes one), and the work is in what did not change: each rule's filter made ready
 * and each index bucket's code are taken from the {@link CompilationCache} as they are, and only
 * the buckets the change touched, the search trees and the program around them are written again.
 * With 10,000 rules that is a tenth to a twentieth of a compile from nothing (docs/benchmarks.md).
 *
 * <p>The object is the one {@link RuleSetObject#compile} makes of the same rule set, byte for
 * byte: the cache holds results of deterministic functions under keys that hold all their inputs
 * (docs/compiler.md, "Incremental compiles"), and a test compares the two over random sequences
 * of changes. What the last compile did not use is forgotten, so the session holds about one
 * rule set's worth of code. Thread-safe: one compile at a time.
 */
public final class RuleSetCompiler {
    private final ProgramBuilder builder;
    private final CompilationCache cache = new CompilationCache();

    /** A session compiling with {@code builder} (its settings: sample bytes, program sizes, the stage). */
    public RuleSetCompiler(ProgramBuilder builder) {
        this.builder = Objects.requireNonNull(builder, "builder");
    }

    /** A session with the default builder. */
    public RuleSetCompiler() {
        this(new ProgramBuilder());
    }

    /**
     * Compiles {@code filters} (the rules of {@code rules}, with their classic BPF), as
     * {@link RuleSetObject#compile} would.
     *
     * @throws IllegalArgumentException when the set is too large for the maps or the chain
     */
    public synchronized RuleSetObject compile(RuleSet rules, List<RuleFilter> filters) {
        try {
            return RuleSetObject.compile(rules, filters, builder, cache);
        } finally {
            cache.endCompile();
        }
    }

    /** How much the last compile reused: filters and buckets made, and taken from the session. */
    public synchronized CompilationCache.Use lastUse() {
        return cache.lastUse();
    }
}
