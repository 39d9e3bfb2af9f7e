package org.levee.compiler.flow;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Gives every way into a {@code ret #0} its own {@code ret #0}, so that each rejection is reached
 * from exactly one edge and what is known there ({@link Facts}, {@link Values}) is what that edge
 * knows, not what all the edges into a shared return have in common. A {@code ret #0} has no code
 * of its own, so this changes nothing but the labels. Copies go after the last instruction.
 */
public final class Rejections {
    private Rejections() {}

    public static Flow split(Flow flow) {
        int n = flow.size();
        List<Op> ops = new ArrayList<>(flow.ops());
        BitSet claimed = new BitSet(n);
        // A fall-through cannot be redirected: those edges keep the return they fall into.
        for (int i = 0; i + 1 < n; i++) {
            Op op = ops.get(i);
            if (!op.isReturn()
                    && !op.isJa()
                    && !op.isConditional()
                    && ops.get(i + 1).isRejection()) {
                claimed.set(i + 1);
            }
        }
        for (int i = 0; i < n; i++) {
            ops.set(i, ops.get(i).retargeted(target -> claim(ops, claimed, target)));
        }
        return new Flow(ops);
    }

    /** The target itself if it is not a rejection or not yet taken; else a new copy of it. */
    private static int claim(List<Op> ops, BitSet claimed, int target) {
        if (!ops.get(target).isRejection()) {
            return target;
        }
        if (!claimed.get(target)) {
            claimed.set(target);
            return target;
        }
        ops.add(Op.retK(0));
        return ops.size() - 1;
    }
}
