package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.levee.compiler.flow.Value.Alu;
import org.levee.compiler.flow.Value.Const;
import org.levee.compiler.flow.Value.IndirectLoad;
import org.levee.compiler.flow.Value.Len;
import org.levee.compiler.flow.Value.Load;
import org.levee.compiler.flow.Value.Unknown;

/**
 * Symbolic values: for every instruction, what A, X and M[0..15] hold when it starts, as
 * {@link Value} expressions. At the start all are 0 (the interpreter's and the kernel's start
 * state). Constants are folded. Used to find redundant instructions ({@link ValueReuse}) and to
 * group indirect loads by the value of X ({@link PacketGuards}).
 */
public final class Values {
    /** Slot numbers in a state: A, X, then the scratch words. */
    public static final int A_SLOT = 0;

    public static final int X_SLOT = 1;
    public static final int SLOTS = 2 + MEMORY_WORDS;

    private final Value[][] in;

    private Values(Value[][] in) {
        this.in = in;
    }

    /** Whether some path from the start reaches instruction {@code index}. */
    public boolean isReachable(int index) {
        return in[index] != null;
    }

    /** The state when instruction {@code index} starts, or null when no path reaches it. */
    public Value[] before(int index) {
        return in[index] == null ? null : in[index].clone();
    }

    public Value a(int index) {
        return in[index][A_SLOT];
    }

    public Value x(int index) {
        return in[index][X_SLOT];
    }

    public static Values analyse(Flow flow) {
        return analyse(flow, Entry.NONE);
    }

    /**
     * The values when the fragment starts with A and X holding what {@code entry} says (the
     * caller has made sure the filter writes them before it reads them: cBPF starts them at 0).
     */
    public static Values analyse(Flow flow, Entry entry) {
        int n = flow.size();
        Value[][] in = new Value[n][];
        if (n == 0) {
            return new Values(in);
        }
        Value[] start = new Value[SLOTS];
        Arrays.fill(start, new Const(0));
        if (entry.a() != null) {
            start[A_SLOT] = entry.a();
        }
        if (entry.x() != null) {
            start[X_SLOT] = entry.x();
        }
        in[0] = start;
        List<List<Integer>> predecessors = flow.predecessors();
        Value[][] out = new Value[n][];
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                in[i] = meet(i, predecessors.get(i), out);
            }
            if (in[i] != null) {
                out[i] = transfer(flow.get(i), in[i]);
            }
        }
        return new Values(in);
    }

    private static Value[] meet(int i, List<Integer> predecessors, Value[][] out) {
        Value[] result = null;
        for (int p : predecessors) {
            if (out[p] == null) {
                continue;
            }
            if (result == null) {
                result = out[p].clone();
                continue;
            }
            for (int slot = 0; slot < SLOTS; slot++) {
                if (!Objects.equals(result[slot], out[p][slot])) {
                    result[slot] = new Unknown(i, slot);
                }
            }
        }
        return result;
    }

    /** The state after {@code op} runs (and does not end the filter) in state {@code in}. */
    static Value[] transfer(Op op, Value[] in) {
        Value[] out = in.clone();
        int slot = target(op);
        if (slot >= 0) {
            out[slot] = result(op, in);
        }
        return out;
    }

    /** The slot {@code op} writes, or -1. */
    public static int target(Op op) {
        if (op.writesA()) {
            return A_SLOT;
        }
        if (op.writesX()) {
            return X_SLOT;
        }
        int word = op.writesMemory();
        return word >= 0 ? 2 + word : -1;
    }

    /** The value {@code op} writes into its {@link #target} slot, given the state before it. */
    public static Value result(Op op, Value[] in) {
        Value a = in[A_SLOT];
        Value x = in[X_SLOT];
        return switch (op.opClass()) {
            case LD ->
                switch (op.mode()) {
                    case ABS -> new Load(op.width(), op.unsignedK());
                    case IND ->
                        x instanceof Const c
                                ? new Load(op.width(), Integer.toUnsignedLong(c.k()) + op.unsignedK())
                                : new IndirectLoad(op.width(), op.k(), x);
                    case IMM -> new Const(op.k());
                    case LEN -> new Len();
                    default -> in[2 + op.k()]; // MEM
                };
            case LDX ->
                switch (op.mode()) {
                    case IMM -> new Const(op.k());
                    case LEN -> new Len();
                    // 4*([k]&0xf), spelled as the ALU operations libpcap also uses for it
                    case MSH -> new Alu(LSH, new Alu(AND, new Load(1, op.unsignedK()), new Const(0xf)), new Const(2));
                    default -> in[2 + op.k()]; // MEM
                };
            case ST -> a;
            case STX -> x;
            case ALU -> alu(op.op(), a, op.op() == NEG ? new Const(0) : op.src() == X ? x : new Const(op.k()));
            case MISC -> (op.code() & 0xf8) == TAX ? a : x;
            default -> throw new IllegalArgumentException("no value for " + op);
        };
    }

    private static Value alu(int operation, Value a, Value b) {
        if (a instanceof Const ca && b instanceof Const cb) {
            Integer folded = fold(operation, ca.k(), cb.k());
            if (folded != null) {
                return new Const(folded);
            }
        }
        return new Alu(operation, a, b);
    }

    /** {@code a op b} as the interpreter computes it, or null when it ends the filter (÷ 0). */
    public static Integer fold(int operation, int a, int b) {
        return switch (operation) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> b == 0 ? null : Integer.divideUnsigned(a, b);
            case MOD -> b == 0 ? null : Integer.remainderUnsigned(a, b);
            case OR -> a | b;
            case AND -> a & b;
            case XOR -> a ^ b;
            case LSH -> a << b;
            case RSH -> a >>> b;
            case NEG -> -a;
            default -> throw new IllegalArgumentException("unknown ALU operation 0x" + Integer.toHexString(operation));
        };
    }
}
