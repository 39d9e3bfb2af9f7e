package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.levee.compiler.flow.Value.Const;

/**
 * Pass 2, reuse computed values: with the symbolic {@link Values} of every instruction,
 * <ul>
 *   <li>an instruction that writes into a register or scratch word the value it already holds
 *       on every path is removed — libpcap recomputes {@code 4*([14]&0xf)} before every TCP or
 *       UDP header access, and repeats loads such as {@code ldh [12]} after a join;
 *   <li>an indirect load whose X is a known constant becomes an absolute load;
 *   <li>a conditional jump whose operands are both known constants, or whose outcome is known
 *       ({@link Facts}: the same test ran before on every path, here or in an earlier filter),
 *       becomes a {@code ja}.
 * </ul>
 * Removing a load is safe because an equal value in the register means the same load already
 * succeeded on this path (the packet does not change). Run {@link DeadCode} afterwards.
 */
public final class ValueReuse {
    private ValueReuse() {}

    public static Flow apply(Flow flow) {
        return apply(flow, Entry.NONE);
    }

    /** The pass for a fragment that starts in {@code entry}. */
    public static Flow apply(Flow flow, Entry entry) {
        Values values = Values.analyse(flow, entry);
        Facts facts = Facts.analyse(flow, values, entry.facts());
        int n = flow.size();
        List<Op> ops = new ArrayList<>(flow.ops());
        BitSet removed = new BitSet(n);
        for (int i = 0; i < n - 1; i++) {
            Value[] in = values.before(i);
            if (in == null) {
                continue;
            }
            Op op = ops.get(i);
            if (op.isConditional()) {
                Boolean outcome = facts.before(i).outcomeOf(Predicate.of(op, in));
                if (outcome != null) {
                    ops.set(i, Op.ja(outcome ? op.jt() : op.jf()));
                }
                continue;
            }
            int slot = Values.target(op);
            if (slot < 0) {
                continue;
            }
            if (Values.result(op, in).equals(in[slot])) {
                removed.set(i);
            } else if (op.isIndirectLoad() && in[Values.X_SLOT] instanceof Const c) {
                long offset = Integer.toUnsignedLong(c.k()) + op.unsignedK();
                ops.set(
                        i,
                        offset <= 0xffffffffL
                                ? Op.plain(LD | (op.code() & 0x18) | ABS, (int) offset)
                                : Op.retK(0)); // past 4 GiB: out of bounds on every packet
            }
        }
        return new Flow(ops).without(removed);
    }
}
