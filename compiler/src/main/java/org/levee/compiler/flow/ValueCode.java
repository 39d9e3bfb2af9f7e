package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.List;

/**
 * Classic BPF that computes a {@link Value} into A: the inverse of {@link Values}, for the values
 * filters test (packet loads, through X too, and arithmetic on them). The code it writes has no
 * jumps and may use X and scratch words M[depth..]; {@link Values} gives back the same value for
 * it. Used to write tests of known values as a filter of their own
 * ({@link org.levee.compiler.FilterIndex}'s preludes).
 */
public final class ValueCode {
    private ValueCode() {}

    /** Deepest nesting of non-constant operands (each takes a scratch word). */
    private static final int MAX_DEPTH = 8;

    /** Whether {@link #toA} can compute {@code value}. */
    public static boolean supports(Value value) {
        return supports(value, 0);
    }

    private static boolean supports(Value value, int depth) {
        if (depth > MAX_DEPTH || !value.isDefinite()) {
            return false;
        }
        return switch (value) {
            case Value.Const c -> true;
            case Value.Len len -> true;
            case Value.Load load -> load.offset() >= 0 && load.offset() <= 0xffff_ffffL;
            case Value.IndirectLoad load -> supports(load.x(), depth + 1);
            case Value.Alu alu -> supports(alu.a(), depth + 1) && supports(alu.b(), depth + 1);
            case Value.Unknown u -> false;
        };
    }

    /** Appends code that leaves {@code value} in A (and may change X and M[0..]). */
    public static void toA(Value value, List<Op> ops) {
        if (!supports(value)) {
            throw new IllegalArgumentException("no code computes " + value);
        }
        toA(value, ops, 0);
    }

    private static void toA(Value value, List<Op> ops, int depth) {
        switch (value) {
            case Value.Const c -> ops.add(Op.plain(LD | IMM, c.k()));
            case Value.Len len -> ops.add(Op.plain(LD | W | LEN, 0));
            case Value.Load load -> ops.add(Op.plain(LD | size(load.width()) | ABS, (int) load.offset()));
            case Value.IndirectLoad load -> {
                toX(load.x(), ops, depth);
                ops.add(Op.plain(LD | size(load.width()) | IND, load.k()));
            }
            case Value.Alu alu -> {
                if (alu.op() == NEG) {
                    toA(alu.a(), ops, depth);
                    ops.add(Op.plain(ALU | NEG, 0));
                } else if (alu.b() instanceof Value.Const c) {
                    toA(alu.a(), ops, depth);
                    ops.add(Op.plain(ALU | alu.op() | K, c.k()));
                } else {
                    // b into a scratch word, then a (which may use X and deeper words), then X = b
                    toA(alu.b(), ops, depth + 1);
                    ops.add(Op.plain(ST, depth));
                    toA(alu.a(), ops, depth + 1);
                    ops.add(Op.plain(LDX | MEM, depth));
                    ops.add(Op.plain(ALU | alu.op() | X, 0));
                }
            }
            case Value.Unknown u -> throw new IllegalArgumentException("no code computes " + value);
        }
    }

    private static void toX(Value x, List<Op> ops, int depth) {
        if (isMsh(x)) {
            Value.Load header = (Value.Load) ((Value.Alu) ((Value.Alu) x).a()).a();
            ops.add(Op.plain(LDX | B | MSH, (int) header.offset()));
        } else if (x instanceof Value.Const c) {
            ops.add(Op.plain(LDX | IMM, c.k()));
        } else if (x instanceof Value.Len) {
            ops.add(Op.plain(LDX | W | LEN, 0));
        } else {
            toA(x, ops, depth);
            ops.add(Op.plain(MISC | TAX, 0));
        }
    }

    /** {@code 4*([k]&0xf)}, what {@code ldxb 4*([k]&0xf)} loads. */
    private static boolean isMsh(Value x) {
        return x instanceof Value.Alu shift
                && shift.op() == LSH
                && shift.b() instanceof Value.Const two
                && two.k() == 2
                && shift.a() instanceof Value.Alu mask
                && mask.op() == AND
                && mask.b() instanceof Value.Const f
                && f.k() == 0xf
                && mask.a() instanceof Value.Load load
                && load.width() == 1;
    }

    private static int size(int width) {
        return switch (width) {
            case 4 -> W;
            case 2 -> H;
            case 1 -> B;
            default -> throw new IllegalArgumentException("load width " + width);
        };
    }
}
