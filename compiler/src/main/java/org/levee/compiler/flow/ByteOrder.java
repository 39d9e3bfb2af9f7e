package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Go further than cbpfc, byte order: cBPF loads are big-endian, so an eBPF load of 16 or 32 bits
 * needs a byte swap — unless the value is only ever compared with constants for equality or
 * tested against a constant mask ({@code jeq #k}, {@code jset #k}), in which case the compiler
 * compares the raw loaded value with the byte-swapped constant instead.
 *
 * <p>A load qualifies when every instruction its value reaches before A is overwritten is such a
 * jump, and every definition of A reaching those jumps qualifies too with the same width (a jump
 * compares one constant, so all values flowing into it must be in the same byte order). Loads
 * that do not qualify disqualify the jumps they reach, and so on until nothing changes.
 */
public final class ByteOrder {
    private ByteOrder() {}

    /**
     * The decision: {@code rawLoads} are 16/32-bit loads into A emitted without a byte swap;
     * {@code rawJumps} are the {@code jeq #k}/{@code jset #k} that compare with a swapped
     * constant, and {@code jumpWidth[i]} is the width of the values they compare (2 or 4).
     */
    public record Decision(BitSet rawLoads, BitSet rawJumps, int[] jumpWidth, int[] aWidth, boolean entryConflict) {
        /**
         * How A holds its value when instruction {@code i} starts: 0 as cBPF does (host order),
         * 2 or 4 as a raw load of that width, -1 when paths disagree or none reaches it.
         */
        public int rawWidthOfA(int i) {
            return aWidth[i];
        }
    }

    public static Decision decide(Flow flow) {
        return decide(flow, 0);
    }

    /**
     * The decision for a fragment whose A register starts with a raw load of {@code entryRawWidth}
     * bytes (0: as cBPF holds it). Such a start counts as one more raw load; when one of its uses
     * cannot take it raw, {@link Decision#entryConflict} is set and the fragment must not start
     * with it.
     */
    public static Decision decide(Flow flow, int entryRawWidth) {
        int n = flow.size();
        // Reaching definitions of A: bit d = instruction d defined it; bit n = the start state.
        BitSet[] reaching = new BitSet[n];
        reaching[0] = new BitSet(n + 1);
        reaching[0].set(n);
        List<List<Integer>> predecessors = flow.predecessors();
        for (int i = 1; i < n; i++) {
            for (int p : predecessors.get(i)) {
                if (reaching[p] == null) {
                    continue;
                }
                BitSet out = outOf(flow.get(p), p, reaching[p]);
                if (reaching[i] == null) {
                    reaching[i] = out;
                } else {
                    reaching[i].or(out);
                }
            }
        }
        // Uses of each definition.
        List<List<Integer>> uses = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            uses.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            if (reaching[i] != null && flow.get(i).readsA()) {
                for (int d = reaching[i].nextSetBit(0); d >= 0; d = reaching[i].nextSetBit(d + 1)) {
                    uses.get(d).add(i);
                }
            }
        }
        BitSet rawLoads = new BitSet(n);
        for (int d = 0; d < n; d++) {
            Op op = flow.get(d);
            if ((op.isAbsoluteLoad() || op.isIndirectLoad())
                    && op.width() > 1
                    && !uses.get(d).isEmpty()) {
                rawLoads.set(d);
            }
        }
        // Bit n stands for a raw entry value, treated as one more raw load of its width.
        if (entryRawWidth > 0) {
            rawLoads.set(n);
        }
        BitSet rawJumps = new BitSet(n);
        int[] width = new int[n];
        boolean changed = true;
        boolean conflict = false;
        while (changed) {
            changed = false;
            rawJumps.clear();
            for (int d = rawLoads.nextSetBit(0); d >= 0; d = rawLoads.nextSetBit(d + 1)) {
                int w = width(d, flow, entryRawWidth);
                boolean ok = true;
                for (int use : uses.get(d)) {
                    ok &= comparesWithConstant(flow.get(use))
                            && allRaw(reaching[use], rawLoads, flow, w, entryRawWidth);
                }
                if (!ok) {
                    rawLoads.clear(d);
                    conflict |= d == n;
                    changed = true;
                } else {
                    for (int use : uses.get(d)) {
                        rawJumps.set(use);
                        width[use] = w;
                    }
                }
            }
        }
        int[] aWidth = new int[n];
        for (int i = 0; i < n; i++) {
            aWidth[i] = reaching[i] == null ? -1 : widthOf(reaching[i], rawLoads, flow, entryRawWidth);
        }
        rawLoads.clear(n);
        return new Decision(rawLoads, rawJumps, width, aWidth, conflict);
    }

    /** The width of the load that is definition {@code d} of A: instruction d, or the entry's raw value (d = n). */
    private static int width(int d, Flow flow, int entryRawWidth) {
        return d == flow.size() ? entryRawWidth : flow.get(d).width();
    }

    /** 0 when no definition in {@code definitions} is raw, their common width when all are, else -1. */
    private static int widthOf(BitSet definitions, BitSet rawLoads, Flow flow, int entryRawWidth) {
        int raw = 0;
        int host = 0;
        int w = 0;
        for (int d = definitions.nextSetBit(0); d >= 0; d = definitions.nextSetBit(d + 1)) {
            if (rawLoads.get(d)) {
                int dw = width(d, flow, entryRawWidth);
                if (raw > 0 && dw != w) {
                    return -1;
                }
                w = dw;
                raw++;
            } else {
                host++;
            }
        }
        return raw == 0 ? 0 : host == 0 ? w : -1;
    }

    private static BitSet outOf(Op op, int index, BitSet in) {
        if (!op.writesA()) {
            return (BitSet) in.clone();
        }
        BitSet out = new BitSet();
        out.set(index);
        return out;
    }

    private static boolean comparesWithConstant(Op op) {
        return op.isConditional() && op.src() == K && (op.op() == JEQ || op.op() == JSET);
    }

    private static boolean allRaw(BitSet definitions, BitSet rawLoads, Flow flow, int width, int entryRawWidth) {
        for (int d = definitions.nextSetBit(0); d >= 0; d = definitions.nextSetBit(d + 1)) {
            int dw = width(d, flow, entryRawWidth);
            if (!rawLoads.get(d) || dw != width) {
                return false;
            }
        }
        return true;
    }

    /** The constant a raw {@code width}-byte value is compared with in place of {@code k}. */
    public static int swapped(int k, int width) {
        if (width == 4) {
            return Integer.reverseBytes(k);
        }
        // A raw 16-bit value has zero upper bits: keeping k's upper bits makes jeq fail when k
        // does not fit in 16 bits, as it must, and they meet only zero bits in a jset.
        int low = Short.reverseBytes((short) k) & 0xffff;
        return low | (k & 0xffff0000);
    }
}
