package org.levee.signatures;

import java.util.ArrayList;
import java.util.List;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * The conjunction of two classic BPF filters: a program that matches a packet when both do, so
 * that a generated filter can narrow a tcpdump expression (or the other way round).
 *
 * <p>The first program runs; where it would accept, it jumps to the second instead, which
 * decides. Where it accepts with the accumulator's value, a two-instruction trampoline checks
 * that value first. Neither program's own jumps change, because the first keeps its length and
 * the second is appended whole. Scratch memory is shared, which is sound: a cBPF program never
 * reads a scratch word it has not written.
 */
public final class CbpfConjunction {

    private CbpfConjunction() {}

    /** A program matching exactly the packets both {@code first} and {@code second} match. */
    public static CbpfProgram and(CbpfProgram first, CbpfProgram second) {
        int n = first.size();
        boolean needsTrampoline =
                first.instructions().stream().anyMatch(i -> i.isReturn() && i.rval() == CbpfInstruction.A);
        int secondStart = n + (needsTrampoline ? 2 : 0);
        List<CbpfInstruction> out = new ArrayList<>(secondStart + second.size());
        for (int pc = 0; pc < n; pc++) {
            CbpfInstruction i = first.get(pc);
            if (!i.isReturn()) {
                out.add(i);
            } else if (i.rval() == CbpfInstruction.A) {
                out.add(CbpfInstruction.ja(n - pc - 1));
            } else if (i.k() == 0) {
                out.add(i);
            } else {
                out.add(CbpfInstruction.ja(secondStart - pc - 1));
            }
        }
        if (needsTrampoline) {
            out.add(CbpfInstruction.jeqK(0, 0, 1)); // A == 0: reject, else go on
            out.add(CbpfInstruction.retK(0));
        }
        out.addAll(second.instructions());
        return Programs.checkSize(new CbpfProgram(out), "the conjunction of two filters");
    }
}
