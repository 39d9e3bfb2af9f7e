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

    /** Instructions emitted so far (trampolines not counted). */
    int size() {
        int n = 0;
        for (Item item : items) {
            if (item instanceof Insn) {
                n++;
            }
        }
        return n;
    }

    /** Resolves every label and returns the program. */
    CbpfProgram assemble() {
        List<Item> work = new ArrayList<>(items);
        while (insertTrampoline(work)) {
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
                out.add(new CbpfInstruction(t.code(), offset(positions, insn.jt(), pc),
                        offset(positions, insn.jf(), pc), t.k()));
            } else if (t.isJump()) {
                out.add(CbpfInstruction.ja(offset(positions, insn.jt(), pc)));
            } else {
                out.add(t);
            }
        }
        return new CbpfProgram(out);
    }

    /** Finds one conditional jump that cannot reach a target and reroutes it; false if none. */
    private boolean insertTrampoline(List<Item> work) {
        Map<Label, Integer> positions = positions(work);
        int pc = 0;
        for (int i = 0; i < work.size(); i++) {
            if (!(work.get(i) instanceof Insn insn)) {
                continue;
            }
            if (insn.template().isConditionalJump()) {
                boolean farTrue = offset(positions, insn.jt(), pc) > 255;
                boolean farFalse = offset(positions, insn.jf(), pc) > 255;
                if (farTrue || farFalse) {
                    List<Item> trampolines = new ArrayList<>();
                    Label jt = insn.jt();
                    Label jf = insn.jf();
                    if (farTrue) {
                        jt = newLabel("far-" + insn.jt());
                        trampolines.add(new Mark(jt));
                        trampolines.add(new Insn(CbpfInstruction.ja(0), insn.jt(), null));
                    }
                    if (farFalse) {
                        jf = newLabel("far-" + insn.jf());
                        trampolines.add(new Mark(jf));
                        trampolines.add(new Insn(CbpfInstruction.ja(0), insn.jf(), null));
                    }
                    work.set(i, new Insn(insn.template(), jt, jf));
                    work.addAll(i + 1, trampolines);
                    return true;
                }
            }
            pc++;
        }
        return false;
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
