package org.levee.dataplane.program;

import java.util.ArrayList;
import java.util.List;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.CompilationCache;
import org.levee.compiler.FilterChain;
import org.levee.compiler.FilterIndex;
import org.levee.compiler.FragmentLayout;
import org.levee.ebpf.asm.Register;
import org.levee.rules.RuleFilter;

/**
 * The one place where rules' classic BPF becomes eBPF inside the data-plane program: a
 * {@link FilterChain} of the compiler module, each rule its destination check and then its match.
 *
 * <p>Registers: the packet start and end in r2/r3 (read only), A in r4, X in r5, r0 and r1 as
 * pointer and scratch; M[] in the top {@link FragmentLayout#SCRATCH_BYTES} bytes of the stack. A fragment calls no helpers
 * and touches no other register, so the program keeps its context, counters and packet length
 * in r6–r9 across it.
 */
final class FilterEmitter {
    private FilterEmitter() {}

    /** Frame-pointer offset of M[0]: the scratch memory fills the top of the stack. */
    static final int SCRATCH = -FragmentLayout.SCRATCH_BYTES;

    /** The registers and stack of every rule's code; labels start with {@code prefix}. */
    static FragmentLayout layout(String prefix) {
        return new FragmentLayout(
                Register.R2,
                Register.R3,
                Register.R4,
                Register.R5,
                Register.R0,
                Register.R1,
                SCRATCH,
                prefix,
                prefix + "match",
                prefix + "end",
                null);
    }

    /** The chain of {@code rules}, in order, each rule's filter made ready once in {@code cache}. */
    static FilterChain chain(List<RuleFilter> rules, CompilationCache cache) {
        return FilterChain.of(filters(rules), cache);
    }

    /** The index of {@code rules}, in order, with classes of at least {@code minClassSize} rules, reusing what {@code cache} holds. */
    static FilterIndex index(List<RuleFilter> rules, int minClassSize, CompilationCache cache) {
        return FilterIndex.of(filters(rules), minClassSize, cache);
    }

    /** Each rule as the filters it is: its destination check, then its match. */
    private static List<List<CbpfProgram>> filters(List<RuleFilter> rules) {
        List<List<CbpfProgram>> filters = new ArrayList<>(rules.size());
        for (RuleFilter rule : rules) {
            List<CbpfProgram> parts = new ArrayList<>(2);
            rule.destination().ifPresent(parts::add);
            parts.add(rule.match());
            filters.add(parts);
        }
        return filters;
    }
}
