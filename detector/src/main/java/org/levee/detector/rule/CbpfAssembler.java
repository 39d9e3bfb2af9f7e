package org.levee.detector.rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * A small classic-BPF assembler with forward labels, for the direct filter builders. Jump targets
 * are label names; {@code null} means the next instruction.
 */
final class CbpfAssembler {

    private record Pending(CbpfInstruction instruction, String trueLabel, String falseLabel) {}

    private final List<Pending> code = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    CbpfAssembler emit(CbpfInstruction instruction) {
        code.add(new Pending(instruction, null, null));
        return this;
    }

    /** A conditional jump {@code op} against {@code k}, to labels (null: fall through). */
    CbpfAssembler jump(int op, int k, String trueLabel, String falseLabel) {
        code.add(new Pending(CbpfInstruction.jmpK(op, k, 0, 0), trueLabel, falseLabel));
        return this;
    }

    /** A conditional jump {@code op} against X, to labels (null: fall through). */
    CbpfAssembler jumpX(int op, String trueLabel, String falseLabel) {
        code.add(new Pending(CbpfInstruction.jmpX(op, 0, 0), trueLabel, falseLabel));
        return this;
    }

    CbpfAssembler jumpAlways(String label) {
        code.add(new Pending(CbpfInstruction.ja(0), label, null));
        return this;
    }

    CbpfAssembler label(String name) {
        if (labels.putIfAbsent(name, code.size()) != null) {
            throw new IllegalStateException("label '" + name + "' defined twice");
        }
        return this;
    }

    CbpfProgram assemble() {
        List<CbpfInstruction> out = new ArrayList<>(code.size());
        for (int pc = 0; pc < code.size(); pc++) {
            Pending p = code.get(pc);
            CbpfInstruction i = p.instruction();
            if (i.opClass() == CbpfInstruction.JMP && i.op() == CbpfInstruction.JA) {
                out.add(p.trueLabel() == null ? i : CbpfInstruction.ja(offset(pc, p.trueLabel(), Integer.MAX_VALUE)));
            } else if (p.trueLabel() != null || p.falseLabel() != null) {
                out.add(new CbpfInstruction(i.code(), offset(pc, p.trueLabel(), 255),
                        offset(pc, p.falseLabel(), 255), i.k()));
            } else {
                out.add(i);
            }
        }
        return new CbpfProgram(out);
    }

    private int offset(int pc, String label, int max) {
        if (label == null) {
            return 0;
        }
        Integer target = labels.get(label);
        if (target == null) {
            throw new IllegalStateException("label '" + label + "' is not defined");
        }
        int offset = target - pc - 1;
        if (offset < 0 || offset > max) {
            throw new IllegalStateException("jump from " + pc + " to label '" + label + "' at "
                    + target + " is out of range 0.." + max);
        }
        return offset;
    }
}
