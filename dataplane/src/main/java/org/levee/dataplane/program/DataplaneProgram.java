package org.levee.dataplane.program;

import java.util.List;
import org.levee.ebpf.asm.AssembledProgram;

/**
 * The data-plane program of one rule set: the entry program (sampler, first rules) and the
 * programs it tail-calls through {@code levee_chain} when the rules do not fit in one. Each
 * still has its relocations: {@code rule_<id>_enabled} constants and the maps by name.
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

    /** Symbol of program {@code index}: {@code levee}, then {@code levee_chain1}… */
    public static String symbol(int index) {
        return index == 0 ? "levee" : "levee_chain" + index;
    }
}
