package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.BitSet;

/**
 * Pass 5, divide-by-zero guards only where X may be 0: an interval analysis of A, X and the
 * scratch words (unsigned 32-bit ranges), refined along the branches of conditional jumps on
 * constants and after a division by X (which only falls through when X ≠ 0). A {@code div x} or
 * {@code mod x} needs the guard that ends the filter when X = 0 only if X's range contains 0.
 */
public final class DivisionGuards {
    private DivisionGuards() {}

    private static final long MAX = 0xffffffffL;

    /** A state: [lo, hi] per slot (A, X, M[0..15]). */
    private record State(long[] lo, long[] hi) {
        static State start() {
            return new State(new long[Values.SLOTS], new long[Values.SLOTS]); // all 0
        }

        State copy() {
            return new State(lo.clone(), hi.clone());
        }

        void join(State other) {
            for (int s = 0; s < Values.SLOTS; s++) {
                lo[s] = Math.min(lo[s], other.lo[s]);
                hi[s] = Math.max(hi[s], other.hi[s]);
            }
        }

        void set(int slot, long low, long high) {
            lo[slot] = low;
            hi[slot] = high;
        }
    }

    /** The division and modulo instructions by X that need a guard against X = 0. */
    public static BitSet needed(Flow flow) {
        return needed(flow, Entry.NONE);
    }

    /** The guards of a fragment that starts in {@code entry}: A and X it provides may hold anything. */
    public static BitSet needed(Flow flow, Entry entry) {
        int n = flow.size();
        State[] in = new State[n];
        in[0] = State.start();
        if (entry.a() != null) {
            in[0].set(Values.A_SLOT, 0, MAX);
        }
        if (entry.x() != null) {
            in[0].set(Values.X_SLOT, 0, MAX);
        }
        BitSet needed = new BitSet(n);
        for (int i = 0; i < n; i++) {
            State state = in[i];
            if (state == null) {
                continue;
            }
            Op op = flow.get(i);
            if (op.isConditional()) {
                branch(in, op, state, true);
                branch(in, op, state, false);
                continue;
            }
            if (op.isJa()) {
                flow(in, op.jt(), state);
                continue;
            }
            if (op.isReturn()) {
                continue;
            }
            State out = state.copy();
            if (op.opClass() == ALU && op.src() == X && (op.op() == DIV || op.op() == MOD)) {
                if (state.lo[Values.X_SLOT] == 0) {
                    needed.set(i);
                    if (state.hi[Values.X_SLOT] == 0) {
                        continue; // X is always 0 here: nothing gets past this instruction
                    }
                    out.lo[Values.X_SLOT] = 1; // falling through means X was not 0
                }
            }
            apply(op, out);
            flow(in, i + 1, out);
        }
        return needed;
    }

    private static void flow(State[] in, int target, State state) {
        if (in[target] == null) {
            in[target] = state.copy();
        } else {
            in[target].join(state);
        }
    }

    /** Follows one branch of a jump on A, narrowing A's range; an impossible branch adds nothing. */
    private static void branch(State[] in, Op op, State state, boolean taken) {
        State out = state.copy();
        int target = taken ? op.jt() : op.jf();
        if (op.src() == K) {
            long k = op.unsignedK();
            long lo = out.lo[Values.A_SLOT];
            long hi = out.hi[Values.A_SLOT];
            switch (op.op()) {
                case JEQ -> {
                    if (taken) {
                        lo = Math.max(lo, k);
                        hi = Math.min(hi, k);
                    } else if (lo == hi && lo == k) {
                        return;
                    } else if (lo == k) {
                        lo++;
                    } else if (hi == k) {
                        hi--;
                    }
                }
                case JGT -> {
                    if (taken) {
                        lo = Math.max(lo, k + 1);
                    } else {
                        hi = Math.min(hi, k);
                    }
                }
                case JGE -> {
                    if (taken) {
                        lo = Math.max(lo, k);
                    } else {
                        hi = Math.min(hi, k - 1);
                    }
                }
                case JSET -> {
                    if (taken && k != 0) {
                        lo = Math.max(lo, 1);
                    }
                }
                default -> {}
            }
            if (lo > hi) {
                return;
            }
            out.set(Values.A_SLOT, lo, hi);
        }
        flow(in, target, out);
    }

    private static void apply(Op op, State s) {
        final int a = Values.A_SLOT;
        final int x = Values.X_SLOT;
        long k = op.unsignedK();
        switch (op.opClass()) {
            case LD, LDX -> {
                int slot = op.opClass() == LD ? a : x;
                switch (op.mode()) {
                    case ABS, IND -> s.set(slot, 0, (1L << (8 * op.width())) - 1);
                    case IMM -> s.set(slot, k, k);
                    case MEM -> s.set(slot, s.lo[2 + op.k()], s.hi[2 + op.k()]);
                    case MSH -> s.set(slot, 0, 60);
                    default -> s.set(slot, 0, MAX); // LEN
                }
            }
            case ST -> s.set(2 + op.k(), s.lo[a], s.hi[a]);
            case STX -> s.set(2 + op.k(), s.lo[x], s.hi[x]);
            case MISC -> {
                if ((op.code() & 0xf8) == TAX) {
                    s.set(x, s.lo[a], s.hi[a]);
                } else {
                    s.set(a, s.lo[x], s.hi[x]);
                }
            }
            case ALU -> {
                long blo = op.src() == X ? s.lo[x] : k;
                long bhi = op.src() == X ? s.hi[x] : k;
                long lo = s.lo[a];
                long hi = s.hi[a];
                long[] r = switch (op.op()) {
                    case ADD -> hi + bhi <= MAX ? new long[] {lo + blo, hi + bhi} : null;
                    case SUB -> lo >= bhi ? new long[] {lo - bhi, hi - blo} : null;
                    case MUL -> bhi == 0 || hi <= MAX / bhi ? new long[] {lo * blo, hi * bhi} : null;
                    case DIV -> blo > 0 ? new long[] {lo / bhi, hi / blo} : new long[] {0, hi};
                    case MOD -> new long[] {0, Math.min(hi, Math.max(bhi, 1) - 1)};
                    case AND -> new long[] {0, Math.min(hi, bhi)};
                    case OR -> new long[] {Math.max(lo, blo), ones(Math.max(hi, bhi))};
                    case RSH -> op.src() == K ? new long[] {lo >>> (k & 31), hi >>> (k & 31)} : new long[] {0, hi};
                    case LSH ->
                        op.src() == K && (hi << (k & 31)) <= MAX ? new long[] {lo << (k & 31), hi << (k & 31)} : null;
                    default -> null; // XOR, NEG
                };
                if (r == null) {
                    s.set(a, 0, MAX);
                } else {
                    s.set(a, r[0], r[1]);
                }
            }
            default -> {}
        }
    }

    /** The smallest 2^n - 1 at or above v. */
    private static long ones(long v) {
        return v == 0 ? 0 : (Long.highestOneBit(v) << 1) - 1;
    }
}
