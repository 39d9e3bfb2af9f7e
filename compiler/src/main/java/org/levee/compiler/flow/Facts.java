package org.levee.compiler.flow;

import java.util.Arrays;

/**
 * What is known about the packet when each instruction starts ({@link Knowledge}): what the
 * entry knew, and the outcome of every test on every path from the start to the instruction.
 * At a join only what every path knows remains. A test whose outcome is known there need not
 * run ({@link ValueReuse}); what is known where the filter ends tells the filters after it
 * ({@link org.levee.compiler.FilterChain}).
 */
public final class Facts {
    private final Knowledge[] in;

    private Facts(Knowledge[] in) {
        this.in = in;
    }

    /** The knowledge when instruction {@code index} starts, or null when no path reaches it. */
    public Knowledge before(int index) {
        return in[index];
    }

    public static Facts analyse(Flow flow, Values values, Knowledge entry) {
        int n = flow.size();
        Knowledge[] in = new Knowledge[n];
        if (n == 0) {
            return new Facts(in);
        }
        in[0] = entry;
        for (int i = 0; i < n; i++) {
            if (in[i] == null || !values.isReachable(i)) {
                continue;
            }
            Op op = flow.get(i);
            if (op.isConditional()) {
                Predicate p = Predicate.of(op, values.before(i));
                flowTo(in, op.jt(), in[i].with(p, true));
                flowTo(in, op.jf(), in[i].with(p, false));
            } else {
                for (int s : flow.successors(i)) {
                    flowTo(in, s, in[i]);
                }
            }
        }
        return new Facts(in);
    }

    /**
     * Whether, given {@code known}, no path of {@code flow} can match: every path ends in a
     * rejection, a load past the end the facts rule out, or a division by a constant 0, once the
     * tests {@code known} decides are followed. A walk along each path with the exact values
     * cBPF computes, giving up (false) after {@code budget} instructions: a cheap proof for the
     * common case of a filter that earlier filters already ruled out, before compiling it.
     */
    public static boolean rulesOut(Flow flow, Knowledge known, int budget) {
        Value[] start = new Value[Values.SLOTS];
        Arrays.fill(start, new Value.Const(0));
        return new Walk(flow, budget).rejects(0, start, known);
    }

    private static final class Walk {
        private final Flow flow;
        private int budget;

        Walk(Flow flow, int budget) {
            this.flow = flow;
            this.budget = budget;
        }

        boolean rejects(int pc, Value[] state, Knowledge known) {
            while (true) {
                if (--budget < 0) {
                    return false;
                }
                Op op = flow.get(pc);
                if (op.isReturn()) {
                    return op.isRejection()
                            || op.code() == (org.levee.cbpf.CbpfInstruction.RET | org.levee.cbpf.CbpfInstruction.A)
                                    && state[Values.A_SLOT] instanceof Value.Const c
                                    && c.k() == 0;
                }
                if (DeadCode.alwaysFails(op) || failsForSure(op, state, known)) {
                    return true;
                }
                if (op.isJa()) {
                    pc = op.jt();
                    continue;
                }
                if (op.isConditional()) {
                    Predicate p = Predicate.of(op, state);
                    Boolean outcome = known.outcomeOf(p);
                    if (outcome != null) {
                        pc = outcome ? op.jt() : op.jf();
                        continue;
                    }
                    return rejects(op.jt(), state.clone(), known.with(p, true))
                            && rejects(op.jf(), state, known.with(p, false));
                }
                state = Values.transfer(op, state);
                pc++;
            }
        }

        /** A packet load the facts say is past the end of the packet. */
        private static boolean failsForSure(Op op, Value[] state, Knowledge known) {
            long end = op.unsignedK() + op.width();
            if (op.isAbsoluteLoad() || op.isMsh()) {
                return known.guardFails(null, end);
            }
            if (op.isIndirectLoad()) {
                Value x = state[Values.X_SLOT];
                return x instanceof Value.Const c
                        ? known.guardFails(null, Integer.toUnsignedLong(c.k()) + end)
                        : known.guardFails(x, end);
            }
            return false;
        }
    }

    private static void flowTo(Knowledge[] in, int target, Knowledge knowledge) {
        in[target] = in[target] == null ? knowledge : in[target].intersect(knowledge);
    }
}
