package org.levee.ebpf.asm;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Map;

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
        Map<Integer, Integer> indexBySlot = InstructionCodec.indexBySlot(instructions);
        int[] slotOf = new int[instructions.size()];
        for (Map.Entry<Integer, Integer> e : indexBySlot.entrySet()) {
            slotOf[e.getValue()] = e.getKey();
        }
        BitSet seen = new BitSet(instructions.size());
        Deque<Integer> work = new ArrayDeque<>();
        if (!instructions.isEmpty()) {
            work.push(0);
        }
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
                    push(work, indexBySlot, next + (int) insn.imm());
                }
                push(work, indexBySlot, next);
                continue;
            }
            if (insn.isJump()) {
                push(work, indexBySlot, next + insn.jumpOffset());
                if (insn.opcode() == JA || insn.isLongJump()) {
                    continue;
                }
            }
            push(work, indexBySlot, next);
        }
        return seen;
    }

    private static void push(Deque<Integer> work, Map<Integer, Integer> indexBySlot, int slot) {
        Integer index = indexBySlot.get(slot);
        if (index != null) {
            work.push(index);
        }
    }
}
