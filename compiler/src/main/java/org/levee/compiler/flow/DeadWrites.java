package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.BitSet;

/**
 * Drop writes nothing reads: an instruction whose target (A, X or a scratch word) is overwritten
 * on every path before anything reads it, and which cannot end the filter. That leaves out pure
 * instructions (constants, arithmetic other than division by X, register moves, scratch stores)
 * and packet loads the entry has already proved in bounds ({@link Entry#packetBytes},
 * {@link Entry#pointerBytes}); other loads stay, because a load past the end means no match. The
 * writes left dead are typically the loads of a test the {@link Facts} decided in advance.
 */
public final class DeadWrites {
    private DeadWrites() {}

    public static Flow apply(Flow flow, Entry entry) {
        int n = flow.size();
        Values values = Values.analyse(flow, entry);
        BitSet[] liveOut = new BitSet[n];
        BitSet[] liveIn = new BitSet[n];
        for (int i = n - 1; i >= 0; i--) {
            Op op = flow.get(i);
            BitSet out = new BitSet(Values.SLOTS);
            for (int s : flow.successors(i)) {
                out.or(liveIn[s]);
            }
            liveOut[i] = out;
            BitSet in = (BitSet) out.clone();
            int target = Values.target(op);
            if (target >= 0) {
                in.clear(target);
            }
            for (int slot : Initialisation.reads(op)) {
                in.set(slot);
            }
            liveIn[i] = in;
        }
        BitSet removed = new BitSet(n);
        for (int i = 0; i < n; i++) {
            Op op = flow.get(i);
            int target = Values.target(op);
            if (target >= 0 && !liveOut[i].get(target) && values.isReachable(i) && cannotFail(op, i, values, entry)) {
                removed.set(i);
            }
        }
        return flow.without(removed);
    }

    /** Whether {@code op} always falls through to the next instruction. */
    private static boolean cannotFail(Op op, int i, Values values, Entry entry) {
        if (op.isAbsoluteLoad() || op.isMsh()) {
            return op.unsignedK() + op.width() <= entry.packetBytes();
        }
        if (op.isIndirectLoad()) {
            return entry.pointerBytes() > 0
                    && values.x(i).equals(entry.x())
                    && op.unsignedK() + op.width() <= entry.pointerBytes();
        }
        if (op.opClass() == ALU && (op.op() == DIV || op.op() == MOD)) {
            return op.src() == K && op.k() != 0;
        }
        return true;
    }
}
