package org.levee.signatures;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * Builds a classic BPF program whose jumps name {@link Label}s instead of offsets.
 *
 * <p>Classic BPF's conditional jumps reach at most 255 instructions forward. Generated filters
 * are long and jump to shared exits (the next pattern, "no match"), so {@link #assemble()}
 * resolves labels and, where a conditional jump cannot reach its target, routes it through an
 * unconditional {@code ja} (32-bit offset) placed right after it. Jumps only go forward, as
 * classic BPF requires; a backward jump is a bug in a generator and fails loudly.
 */
final class FilterAssembler {

    /** One entry of the program under construction: an instruction or a label's position. */
    private sealed interface Item permits Insn, Mark {}

    /** An instruction; for jumps, the symbolic targets (jt/jf for conditional, jt for ja). */
    private record Insn(CbpfInstruction template, Label jt, Label jf) implements Item {}

    private record Mark(Label label) implements Item {}

    private final List<Item> items = new ArrayList<>();
    private int labels;

    Label newLabel(String name) {
        return new Label(name + "#" + labels++);
    }

    /** Binds {@code label} to the next instruction emitted. */
    void bind(Label label) {
        items.add(new Mark(label));
    }

    /** Emits a non-jump instruction. */
    void emit(CbpfInstruction instruction) {
        if (instruction.isJump()) {
            throw new IllegalArgumentException("jumps must be emitted with labels: " + instruction);
        }
        items.add(new Insn(instruction, null, null));
    }

    /** {@code ja target}. */
    void jumpAlways(Label target) {
        items.add(new Insn(CbpfInstruction.ja(0), target, null));
    }

    /**
     * A conditional jump comparing A with {@code k}: to {@code ifTrue} when the condition holds,
     * else to {@code ifFalse}; a null target means the next instruction.
     */
    void jump(int op, int k, Label ifTrue, Label ifFalse) {
        conditional(CbpfInstruction.jmpK(op, k, 0, 0), ifTrue, ifFalse);
    }

    /** Like {@link #jump} but compares A with X. */
    void jumpX(int op, Label ifTrue, Label ifFalse) {
        conditional(CbpfInstruction.jmpX(op, 0, 0), ifTrue, ifFalse);
    }

    private void conditional(CbpfInstruction template, Label ifTrue, Label ifFalse) {
        Label next = null;
        if (ifTrue == null || ifFalse == null) {
            next = newLabel("next");
        }
        items.add(new Insn(template, ifTrue == null ? next : ifTrue, ifFalse == null ? next : ifFalse));
        if (next != null) {
            bind(next);
        }
    }

    /** Resolves every label and returns the program. */
    CbpfProgram assemble() {
        List<Item> work = new ArrayList<>(items);
        while (insertTrampolines(work)) {
            // Each insertion moves later targets further away: look again until all reach.
        }
        Map<Label, Integer> positions = positions(work);
        List<CbpfInstruction> out = new ArrayList<>();
        for (Item item : work) {
            if (!(item instanceof Insn insn)) {
                continue;
            }
            int pc = out.size();
            CbpfInstruction t = insn.template();
            if (t.isConditionalJump()) {
                out.add(new CbpfInstruction(
                        t.code(), offset(positions, insn.jt(), pc), offset(positions, insn.jf(), pc), t.k()));
            } else if (t.isJump()) {
                out.add(CbpfInstruction.ja(offset(positions, insn.jt(), pc)));
            } else {
                out.add(t);
            }
        }
        return new CbpfProgram(out);
    }

    /**
     * Reroutes, in one pass, every conditional jump that cannot reach a target as the program
     * stands; false if there was none. Insertions only lengthen jumps, so a jump found far here is
     * far in the end, and the passes reach the same program as rerouting one jump at a time would —
     * in a few passes instead of one pass per trampoline (which took seconds on long filters).
     */
    private boolean insertTrampolines(List<Item> work) {
        Map<Label, Integer> positions = positions(work);
        List<Item> out = new ArrayList<>(work.size());
        boolean inserted = false;
        int pc = 0;
        for (Item item : work) {
            if (item instanceof Insn insn && insn.template().isConditionalJump()) {
                boolean farTrue = offset(positions, insn.jt(), pc) > 255;
                boolean farFalse = offset(positions, insn.jf(), pc) > 255;
                if (farTrue || farFalse) {
                    Label jt = farTrue ? newLabel("far-" + insn.jt()) : insn.jt();
                    Label jf = farFalse ? newLabel("far-" + insn.jf()) : insn.jf();
                    out.add(new Insn(insn.template(), jt, jf));
                    if (farTrue) {
                        out.add(new Mark(jt));
                        out.add(new Insn(CbpfInstruction.ja(0), insn.jt(), null));
                    }
                    if (farFalse) {
                        out.add(new Mark(jf));
                        out.add(new Insn(CbpfInstruction.ja(0), insn.jf(), null));
                    }
                    inserted = true;
                    pc++;
                    continue;
                }
            }
            out.add(item);
            if (item instanceof Insn) {
                pc++;
            }
        }
        if (inserted) {
            work.clear();
            work.addAll(out);
        }
        return inserted;
    }

    private static Map<Label, Integer> positions(List<Item> work) {
        Map<Label, Integer> positions = new HashMap<>();
        int pc = 0;
        for (Item item : work) {
            switch (item) {
                case Mark mark -> {
                    if (positions.putIfAbsent(mark.label(), pc) != null) {
                        throw new IllegalStateException("label " + mark.label() + " is bound twice");
                    }
                }
                case Insn ignored -> pc++;
            }
        }
        return positions;
    }

    private static int offset(Map<Label, Integer> positions, Label target, int pc) {
        Integer position = positions.get(target);
        if (position == null) {
            throw new IllegalStateException("label " + target + " is never bound");
        }
        int offset = position - (pc + 1);
        if (offset < 0) {
            throw new IllegalStateException("jump at " + pc + " to " + target + " goes backwards");
        }
        return offset;
    }
}
