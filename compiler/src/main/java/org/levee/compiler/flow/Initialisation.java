package org.levee.compiler.flow;

import java.util.BitSet;
import java.util.List;

/**
 * Pass 4, zero-initialise only what needs it: A, X and M[0..15] start at 0 in cBPF, but a
 * fragment embedded after other code finds whatever that code left in its registers and stack.
 * A slot needs a zeroing store at the start of the fragment only if some path reads it before
 * writing it; every other read is preceded by a write on every path, which is also what the
 * eBPF verifier demands of registers and stack slots.
 */
public final class Initialisation {
    private Initialisation() {}

    /** The slots ({@link Values#A_SLOT}, {@link Values#X_SLOT}, 2 + word) to zero at the start. */
    public static BitSet slotsToZero(Flow flow) {
        int n = flow.size();
        BitSet[] written = new BitSet[n];
        written[0] = new BitSet(Values.SLOTS);
        List<List<Integer>> predecessors = flow.predecessors();
        BitSet[] out = new BitSet[n];
        BitSet toZero = new BitSet(Values.SLOTS);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                for (int p : predecessors.get(i)) {
                    if (out[p] == null) {
                        continue;
                    }
                    if (written[i] == null) {
                        written[i] = (BitSet) out[p].clone();
                    } else {
                        written[i].and(out[p]);
                    }
                }
                if (written[i] == null) {
                    continue; // unreachable
                }
            }
            Op op = flow.get(i);
            for (int slot : reads(op)) {
                if (!written[i].get(slot)) {
                    toZero.set(slot);
                }
            }
            out[i] = (BitSet) written[i].clone();
            int target = Values.target(op);
            if (target >= 0) {
                out[i].set(target);
            }
        }
        return toZero;
    }

    static int[] reads(Op op) {
        int word = op.readsMemory();
        if (word >= 0) {
            return new int[] {2 + word};
        }
        if (op.readsA() && op.readsX()) {
            return new int[] {Values.A_SLOT, Values.X_SLOT};
        }
        if (op.readsA()) {
            return new int[] {Values.A_SLOT};
        }
        return op.readsX() ? new int[] {Values.X_SLOT} : new int[0];
    }
}
