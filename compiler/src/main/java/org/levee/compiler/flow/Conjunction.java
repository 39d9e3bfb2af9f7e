package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Several filters as one that matches when all of them match, in order: where a part would
 * accept, the next part starts instead. Each part after the first starts as a filter on its own
 * does, with A, X and the scratch words it reads before writing set to 0, and its own rejections
 * reject the whole. One flow lets the compiler's passes see across the parts: a test the second
 * part repeats is decided by the first ({@link Facts}), a value it reloads is reused.
 */
public final class Conjunction {
    private Conjunction() {}

    public static Flow of(List<Flow> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a conjunction needs at least one filter");
        }
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        List<List<Op>> prologues = new ArrayList<>();
        int[] start = new int[parts.size() + 1];
        for (int q = 0; q < parts.size(); q++) {
            List<Op> prologue = q == 0 ? List.of() : zeroing(Initialisation.slotsToZero(parts.get(q)));
            prologues.add(prologue);
            start[q + 1] = start[q] + prologue.size() + parts.get(q).size();
        }
        int reject = start[parts.size()]; // a final ret #0, for parts that accept with "ret a"
        boolean rejectUsed = false;
        List<Op> ops = new ArrayList<>(reject + 1);
        for (int q = 0; q < parts.size(); q++) {
            ops.addAll(prologues.get(q));
            Flow part = parts.get(q);
            int base = start[q] + prologues.get(q).size();
            boolean last = q == parts.size() - 1;
            for (int i = 0; i < part.size(); i++) {
                Op op = part.get(i);
                if (op.isJa() || op.isConditional()) {
                    ops.add(op.retargeted(target -> base + target));
                } else if (!last && op.code() == (RET | K) && op.k() != 0) {
                    ops.add(Op.ja(start[q + 1]));
                } else if (!last && op.code() == (RET | A)) {
                    ops.add(new Op(JMP | JEQ | K, 0, reject, start[q + 1]));
                    rejectUsed = true;
                } else {
                    ops.add(op);
                }
            }
        }
        if (rejectUsed) {
            ops.add(Op.retK(0));
        }
        return new Flow(ops);
    }

    /** {@code ld #0; st M[w]…; ldx #0} for the slots in {@code slots}. */
    private static List<Op> zeroing(BitSet slots) {
        List<Op> ops = new ArrayList<>();
        boolean memory = slots.nextSetBit(2) >= 0;
        if (memory || slots.get(Values.A_SLOT)) {
            ops.add(Op.plain(LD | IMM, 0));
        }
        for (int w = slots.nextSetBit(2); w >= 0; w = slots.nextSetBit(w + 1)) {
            ops.add(Op.plain(ST, w - 2));
        }
        if (slots.get(Values.X_SLOT)) {
            ops.add(Op.plain(LDX | IMM, 0));
        }
        return ops;
    }
}
