package org.levee.ebpf.asm;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;

/**
 * The control flow of a program as the kernel's first check (check_cfg) sees it: every edge a
 * jump, fall-through or subprogram call could take, whatever the values. That check refuses a
 * program with an instruction no edge reaches ("unreachable insn") before the verifier looks at
 * any value.
 */
public final class ControlFlow {
    private ControlFlow() {}

    private static final int JA = InstructionClass.JMP.bits() | JumpOp.JA.bits();

    /** Indexes (into {@code instructions}, not slots) of the instructions reachable from the first. */
    public static BitSet reachable(List<Instruction> instructions) {
        Walk walk = new Walk(instructions);
        walk.from(0);
        return walk.reached();
    }

    /**
     * A walk over the edges of a program that can go on after an instruction changed: what it
     * reached stays reached, and {@link #from} explores only what is new. Reads the list as it is
     * when it visits an instruction.
     */
    public static final class Walk {
        private final List<Instruction> instructions;
        private final int[] indexOfSlot;
        private final int[] slotOf;
        private final BitSet seen;

        public Walk(List<Instruction> instructions) {
            this.instructions = instructions;
            this.indexOfSlot = InstructionCodec.indexOfSlot(instructions);
            this.slotOf = new int[instructions.size()];
            for (int slot = 0; slot < indexOfSlot.length; slot++) {
                if (indexOfSlot[slot] >= 0) {
                    slotOf[indexOfSlot[slot]] = slot;
                }
            }
            this.seen = new BitSet(instructions.size());
        }

        /** Visits everything reachable from instruction {@code start} not visited yet. */
        public void from(int start) {
            Deque<Integer> work = new ArrayDeque<>();
            work.push(start);
            while (!work.isEmpty()) {
                int i = work.pop();
                if (i < 0 || i >= instructions.size() || seen.get(i)) {
                    continue;
                }
                seen.set(i);
                Instruction insn = instructions.get(i);
                int next = slotOf[i] + insn.slots();
                if (insn.isExit()) {
                    continue;
                }
                if (insn.isCall()) {
                    if (insn.callKind() == CallKind.SUBPROGRAM) {
                        push(work, next + (int) insn.imm());
                    }
                    push(work, next);
                    continue;
                }
                if (insn.isJump()) {
                    push(work, next + insn.jumpOffset());
                    if (insn.opcode() == JA || insn.isLongJump()) {
                        continue;
                    }
                }
                push(work, next);
            }
        }

        public boolean reached(int index) {
            return seen.get(index);
        }

        /** The instructions reached so far. */
        public BitSet reached() {
            return (BitSet) seen.clone();
        }

        /** The index of the instruction at {@code slot}, or -1. */
        public int indexAt(int slot) {
            return slot >= 0 && slot < indexOfSlot.length ? indexOfSlot[slot] : -1;
        }

        /** The slot of instruction {@code index}. */
        public int slotOf(int index) {
            return slotOf[index];
        }

        private void push(Deque<Integer> work, int slot) {
            if (slot >= 0 && slot < indexOfSlot.length && indexOfSlot[slot] >= 0) {
                work.push(indexOfSlot[slot]);
            }
        }
    }
}
