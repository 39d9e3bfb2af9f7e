package org.levee.compiler;

import java.util.List;
import org.levee.ebpf.asm.AluOp;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * Up to 32 compiled filters embedded one after the other in one XDP program, which returns a bit
 * mask: bit j is set when filter j matched. One test run then checks 32 filters, and the
 * fragments are embedded exactly as the data plane embeds rules (shared registers and stack).
 */
final class FragmentBatch {
    private FragmentBatch() {}

    static final int MAX = 32;
    private static final Register RESULT = Register.R8;

    static AssembledProgram of(List<Compilation> filters) {
        if (filters.size() > MAX) {
            throw new IllegalArgumentException("at most " + MAX + " filters per batch, got " + filters.size());
        }
        Assembler asm = new Assembler();
        FragmentLayout standard = FragmentLayout.standard("", "", "");
        asm.emit(Instruction.mov32(RESULT, 0));
        asm.emit(Instruction.ldx(Size.W, standard.packetStart(), Register.R1, 0));
        asm.emit(Instruction.ldx(Size.W, standard.packetEnd(), Register.R1, 4));
        for (int j = 0; j < filters.size(); j++) {
            FragmentLayout layout = standard.withLabels("f" + j + "_", "match" + j, "nomatch" + j, "nomatch" + j);
            EbpfEmitter.Emitted fragment = EbpfEmitter.emit(filters.get(j), layout, asm);
            // Only the exits some path takes: the verifier refuses unreachable code.
            if (fragment.reachesNoMatch() && fragment.reachesMatch()) {
                asm.label("nomatch" + j);
                asm.ja("next" + j);
            } else if (fragment.reachesNoMatch()) {
                asm.label("nomatch" + j);
            }
            if (fragment.reachesMatch()) {
                asm.label("match" + j);
                asm.emit(Instruction.alu32(AluOp.OR, RESULT, 1 << j));
            }
            asm.label("next" + j);
        }
        asm.emit(Instruction.mov64(Register.R0, RESULT));
        asm.emit(Instruction.exit());
        return asm.assemble();
    }
}
