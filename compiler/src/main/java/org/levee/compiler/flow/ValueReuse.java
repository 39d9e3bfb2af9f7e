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
 *   <li>a conditional jump whose operands are both known constants becomes a {@code ja}.
 * </ul>
 * Removing a load is safe because an equal value in the register means the same load already
 * succeeded on this path (the packet does not change). Run {@link DeadCode} afterwards.
 */
public final class ValueReuse {
    private ValueReuse() {}

    public static Flow apply(Flow flow) {
        Values values = Values.analyse(flow);
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
                Value operand = op.src() == X ? in[Values.X_SLOT] : new Const(op.k());
                if (in[Values.A_SLOT] instanceof Const a && operand instanceof Const b) {
                    ops.set(i, Op.ja(Values.taken(op, a.k(), b.k()) ? op.jt() : op.jf()));
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
                ops.set(i, offset <= 0xffffffffL
                        ? Op.plain(LD | (op.code() & 0x18) | ABS, (int) offset)
                        : Op.retK(0)); // past 4 GiB: out of bounds on every packet
            }
        }
        return new Flow(ops).without(removed);
    }
}
