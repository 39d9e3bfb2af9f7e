package org.levee.dataplane.program;

import java.util.List;
import org.levee.ebpf.asm.AssembledProgram;

/**
 * The data-plane program of one rule set: the entry program (sampler, first rules) and the
 * programs it tail-calls through {@code levee_chain} when the rules do not fit in one. Each
 * still has its relocations: the guards of {@code rule_<id>_enabled}, the guard of its tail call
 * ({@link #chainSymbol}) and the maps by name.
 *
 * @param programs    the chain, entry first
 * @param sampleBytes packet bytes copied into each sample
 */
public record DataplaneProgram(List<AssembledProgram> programs, int sampleBytes) {
    public DataplaneProgram {
        programs = List.copyOf(programs);
        if (programs.isEmpty()) {
            throw new IllegalArgumentException("a data-plane program has at least its entry program");
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

    /** Symbol of program {@code index}: {@code levee}, then {@code levee_chain1}… */
    public static String symbol(int index) {
        return index == 0 ? "levee" : "levee_chain" + index;
    }
}
