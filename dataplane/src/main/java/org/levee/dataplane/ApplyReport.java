package org.levee.dataplane;

import java.time.Duration;
import org.levee.compiler.CompilationCache;

/**
 * How long one {@link XdpDataPlane#apply} took, step by step: from the rule set to the new
 * program in force.
 *
 * @param compile the rule-set object compiled (the rules' filters, the program; incremental: see
 *                {@link org.levee.dataplane.object.RuleSetCompiler})
 * @param load    the programs loaded into the kernel (constants patched, verified)
 * @param attach  the whole attach: maps' entries, the load, pins and the swap
 * @param reuse   what the compile took from the previous ones
 */
public record ApplyReport(Duration compile, Duration load, Duration attach, CompilationCache.Use reuse) {
    /** The attach without the load: the maps' entries, pins, the swap itself. */
    public Duration swap() {
        return attach.minus(load);
    }

    /** Compile and attach: the rule set given to the program in force. */
    public Duration total() {
        return compile.plus(attach);
    }
}
