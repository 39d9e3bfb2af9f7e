package org.levee.compiler.flow;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Pass 6, packet-bounds guards, hoisted (cbpfc's idea): a guard "the packet has at least n bytes
 * from base b, else no match" may be checked as early as we like, as long as every path from
 * there to a matching return needs at least those n bytes — a shorter packet would fail one of
 * that path's loads and not match anyway. Paths that end in {@code ret #0} need nothing.
 *
 * <p>Bases: the packet start (absolute loads and {@code 4*([k]&0xf)}), and, for indirect loads,
 * each distinct value of X (from {@link Values}): loads {@code [x + k]} with the same X share one
 * pointer {@code P = start + X} and one guard. For each base, {@code need[i]} is the smallest,
 * over the matching paths from instruction i, of the largest {@code k + width} that path loads;
 * {@code have[i]} is what guards on every path to i have already proved. A load whose bytes are
 * not proved gets a guard for {@code need[i]} — the largest guard every matching path needs —
 * so later loads on those paths need none.
 *
 * <p>An XDP packet is never longer than 65535 bytes: a need above that means no packet can match
 * from there ({@link #FAILS}). The proved size of an indirect base is also the fixed offset of its
 * pointer register, so at a join it is kept only when every path agrees on it.
 */
public final class PacketGuards {
    private PacketGuards() {}

    /** The largest number of bytes an XDP packet can have. */
    public static final int MAX_PACKET = 0xffff;
    /** A guard that no packet passes: the instruction jumps to the no-match label. */
    public static final int FAILS = Integer.MAX_VALUE;

    /**
     * Per instruction: {@code guard[i]} is 0 (no guard), a byte count to prove before the
     * instruction runs, or {@link #FAILS}; {@code pointerBefore[i]} is, for an indirect load, the
     * fixed offset of the pointer register before the guard (0: the pointer must be computed).
     * {@code packetBefore[i]} is what guards on every path to instruction i proved from the
     * packet start, and {@code pointerProvedBefore[i]} the pointer register's proved offset for
     * the value X has there (0: the register holds nothing of use): what a fragment leaves to the
     * code after it.
     */
    public record Plan(int[] guard, int[] pointerBefore, int[] packetBefore, int[] pointerProvedBefore) {
        /** The pointer's offset while indirect load {@code i} runs (its guard's size, or as before). */
        public int pointerAt(int i) {
            return guard[i] > 0 ? guard[i] : pointerBefore[i];
        }
    }

    public static Plan plan(Flow flow, Values values) {
        return plan(flow, values, Entry.NONE);
    }

    /**
     * The plan for a fragment that starts in {@code entry}: its proved bytes need no guard again,
     * and a guard its facts say fails is {@link #FAILS}.
     */
    public static Plan plan(Flow flow, Values values, Entry entry) {
        int n = flow.size();
        Plan plan = new Plan(new int[n], new int[n], new int[n], new int[n]);
        planBase(flow, values, entry, null, plan);
        Set<Value> xs = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            if (flow.get(i).isIndirectLoad() && values.isReachable(i)) {
                xs.add(values.x(i));
            }
        }
        if (entry.pointerBytes() > 0) {
            xs.add(entry.x()); // what the pointer register holds may outlive the fragment
        }
        for (Value x : xs) {
            planBase(flow, values, entry, x, plan);
        }
        return plan;
    }

    /** Bytes load {@code op} needs from its base, or 0 when it does not load from {@code base}. */
    private static long requirement(Op op, int i, Values values, Value base) {
        if (base == null) {
            return op.isAbsoluteLoad() || op.isMsh() ? op.unsignedK() + op.width() : 0;
        }
        return op.isIndirectLoad() && Objects.equals(values.x(i), base) ? op.unsignedK() + op.width() : 0;
    }

    private static boolean inBase(Values values, int i, Value base) {
        return base == null || values.isReachable(i) && base.equals(values.x(i));
    }

    private static void planBase(Flow flow, Values values, Entry entry, Value base, Plan plan) {
        int[] guard = plan.guard();
        int[] pointerBefore = plan.pointerBefore();
        int n = flow.size();
        long[] need = new long[n];
        for (int i = n - 1; i >= 0; i--) {
            Op op = flow.get(i);
            if (op.isReturn()) {
                need[i] = op.mayAccept() ? 0 : FAILS;
                continue;
            }
            long after = FAILS;
            for (int s : flow.successors(i)) {
                after = Math.min(after, inBase(values, s, base) ? need[s] : 0);
            }
            long required = values.isReachable(i) ? requirement(op, i, values, base) : 0;
            need[i] = required > MAX_PACKET ? FAILS : Math.max(required, after);
        }
        List<List<Integer>> predecessors = flow.predecessors();
        long[] have = new long[n];
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            if (!values.isReachable(i)) {
                continue;
            }
            if (i > 0) {
                have[i] = meet(flow, values, base, predecessors.get(i), out);
            } else if (base == null) {
                have[0] = entry.packetBytes();
            } else if (base.equals(entry.x()) && base.equals(values.x(0))) {
                have[0] = entry.pointerBytes();
            }
            if (base == null) {
                plan.packetBefore()[i] = (int) have[i];
            } else if (base.equals(values.x(i))) {
                plan.pointerProvedBefore()[i] = (int) have[i];
            }
            Op op = flow.get(i);
            out[i] = have[i];
            long required = requirement(op, i, values, base);
            if (required > 0 && have[i] < required) {
                boolean fails = need[i] > MAX_PACKET || entry.facts().guardFails(base, need[i]);
                guard[i] = fails ? FAILS : (int) need[i];
                if (base != null) {
                    pointerBefore[i] = (int) have[i];
                }
                out[i] = guard[i] == FAILS ? 0 : need[i];
            } else if (required > 0 && base != null) {
                pointerBefore[i] = (int) have[i];
            }
            if (base != null && op.writesX()) {
                out[i] = 0;
            }
        }
    }

    private static long meet(Flow flow, Values values, Value base, List<Integer> predecessors, long[] out) {
        long result = -1;
        for (int p : predecessors) {
            if (!values.isReachable(p)) {
                continue;
            }
            long proved = inBase(values, p, base) ? out[p] : 0;
            if (result < 0) {
                result = proved;
            } else if (base == null) {
                result = Math.min(result, proved);
            } else if (result != proved) {
                result = 0; // the pointer's offset differs between paths: recompute it
            }
        }
        return Math.max(result, 0);
    }
}
