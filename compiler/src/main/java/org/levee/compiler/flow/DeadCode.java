package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Pass 3, drop dead blocks: code that never runs, and code that runs but can never lead to a
 * match. An instruction from which every path ends in {@code ret #0} (or in a division by the
 * constant 0, which ends the filter with 0) is replaced by {@code ret #0}, which the code
 * generator turns into a jump straight to the no-match label; what becomes unreachable is then
 * removed, and so are {@code ja} instructions to the next instruction.
 */
public final class DeadCode {
    private DeadCode() {}

    public static Flow apply(Flow flow) {
        int n = flow.size();
        boolean[] canMatch = canMatch(flow);
        List<Op> ops = new ArrayList<>(flow.ops());
        for (int i = 0; i < n; i++) {
            if (!canMatch[i] && !ops.get(i).isRejection()) {
                ops.set(i, Op.retK(0));
            }
        }
        Flow rewritten = new Flow(ops);
        BitSet removed = new BitSet(n);
        removed.set(0, n);
        removed.andNot(rewritten.reachable());
        for (int i = 0; i < n - 1; i++) {
            Op op = ops.get(i);
            if (op.isJa() && !removed.get(i) && nextKept(removed, i) == op.jt()) {
                removed.set(i);
            }
        }
        return removed.isEmpty() ? rewritten : rewritten.without(removed);
    }

    private static int nextKept(BitSet removed, int i) {
        return removed.nextClearBit(i + 1);
    }

    /** For each instruction, whether some path from it may end with a non-zero return. */
    public static boolean[] canMatch(Flow flow) {
        int n = flow.size();
        boolean[] canMatch = new boolean[n];
        for (int i = n - 1; i >= 0; i--) {
            Op op = flow.get(i);
            if (op.isReturn()) {
                canMatch[i] = op.mayAccept();
            } else if (alwaysFails(op)) {
                canMatch[i] = false;
            } else {
                for (int s : flow.successors(i)) {
                    canMatch[i] |= canMatch[s];
                }
            }
        }
        return canMatch;
    }

    /** Division and modulo by the constant 0 end the filter with 0 whatever the packet. */
    static boolean alwaysFails(Op op) {
        return (op.code() == (ALU | DIV | K) || op.code() == (ALU | MOD | K)) && op.k() == 0;
    }
}
