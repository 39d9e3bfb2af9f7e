package org.levee.compiler.flow;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * A cBPF program as the compiler's passes see it: instructions with absolute jump targets. Jumps
 * only go forward, so instruction order is a topological order of the control-flow graph: every
 * analysis is a single pass forwards or backwards, with no iteration to a fixed point. The
 * filter starts at instruction 0. Immutable.
 */
public final class Flow {
    private final List<Op> ops;
    /** Computed when first needed: several passes ask for it. */
    private List<List<Integer>> predecessors;

    public Flow(List<Op> ops) {
        this.ops = List.copyOf(Objects.requireNonNull(ops, "ops"));
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            for (int target : successors(op, i)) {
                if (target <= i || target >= ops.size()) {
                    throw new IllegalArgumentException("instruction " + i + " jumps to " + target
                            + ": targets must be later instructions of the program");
                }
            }
        }
    }

    public List<Op> ops() {
        return ops;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Flow other && ops.equals(other.ops);
    }

    @Override
    public int hashCode() {
        return ops.hashCode();
    }

    @Override
    public String toString() {
        return "Flow" + ops;
    }

    public int size() {
        return ops.size();
    }

    public Op get(int index) {
        return ops.get(index);
    }

    /** The instructions that may run right after instruction {@code index}. */
    public int[] successors(int index) {
        return successors(ops.get(index), index);
    }

    private static int[] successors(Op op, int index) {
        if (op.isReturn()) {
            return new int[0];
        }
        if (op.isJa()) {
            return new int[] {op.jt()};
        }
        if (op.isConditional()) {
            return op.jt() == op.jf() ? new int[] {op.jt()} : new int[] {op.jt(), op.jf()};
        }
        return new int[] {index + 1};
    }

    /** For each instruction, the instructions that may run right before it (unmodifiable). */
    public List<List<Integer>> predecessors() {
        if (predecessors == null) {
            List<List<Integer>> lists = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                lists.add(new ArrayList<>(2));
            }
            for (int i = 0; i < ops.size(); i++) {
                for (int s : successors(i)) {
                    lists.get(s).add(i);
                }
            }
            predecessors = lists.stream().map(List::copyOf).toList();
        }
        return predecessors;
    }

    /** The instructions some jump goes to: the ones an emitter must label. */
    public BitSet jumpTargets() {
        BitSet targets = new BitSet(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).isJa() || ops.get(i).isConditional()) {
                for (int s : successors(i)) {
                    targets.set(s);
                }
            }
        }
        return targets;
    }

    /** The instructions reachable from the entry. */
    public BitSet reachable() {
        BitSet reachable = new BitSet(ops.size());
        if (!ops.isEmpty()) {
            reachable.set(0);
        }
        for (int i = 0; i < ops.size(); i++) {
            if (reachable.get(i)) {
                for (int s : successors(i)) {
                    reachable.set(s);
                }
            }
        }
        return reachable;
    }

    /**
     * This program without the instructions in {@code removed}. A jump to a removed instruction
     * goes to the next kept one instead, so removing an instruction means "it does nothing"; a
     * removed tail must be unreachable (nothing may fall or jump into it).
     */
    public Flow without(BitSet removed) {
        int n = ops.size();
        if (removed.isEmpty()) {
            return this;
        }
        int[] newIndex = new int[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            newIndex[i] = kept;
            if (!removed.get(i)) {
                kept++;
            }
        }
        // A removed instruction maps to the index of the next kept one, which newIndex already
        // holds (it counts the kept instructions before it).
        List<Op> result = new ArrayList<>(kept);
        for (int i = 0; i < n; i++) {
            if (removed.get(i)) {
                continue;
            }
            result.add(ops.get(i).retargeted(t -> newIndex[t]));
        }
        return new Flow(result);
    }

    /** This program with instruction {@code index} replaced. */
    public Flow with(int index, Op op) {
        List<Op> copy = new ArrayList<>(ops);
        copy.set(index, op);
        return new Flow(copy);
    }
}
