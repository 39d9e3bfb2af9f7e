package org.levee.compiler;

import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.flow.DeadCode;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.JumpNormaliser;
import org.levee.compiler.flow.ValueReuse;
import org.levee.ebpf.asm.Assembler;

/**
 * The cBPF → eBPF compiler. {@link #compile} runs the passes (see docs/compiler.md):
 * <ol>
 *   <li>{@link JumpNormaliser}: absolute targets, jump threading, checks;
 *   <li>{@link ValueReuse}: drop recomputations, fold constants;
 *   <li>{@link DeadCode}: drop what never runs or never leads to a match (2 and 3 repeat while
 *       they find something, at most four rounds);
 *   <li>the analyses of {@link Compilation}: zero-initialisation, division guards, packet guards,
 *       byte order;
 * </ol>
 * then {@link EbpfEmitter} or {@link CEmitter} writes the code. Semantics are those of
 * {@link org.levee.cbpf.CbpfInterpreter}, for packets of 14 to 65535 bytes with {@code len} the
 * packet's length (XDP's {@code data_end - data}).
 */
public final class CbpfCompiler {
    private CbpfCompiler() {}

    /**
     * Compiles {@code program}.
     *
     * @throws CbpfException naming the instruction, for a program the compiler cannot take
     *     (unknown opcode, a jump out of the program, no final return, an ancillary load)
     */
    public static Compilation compile(CbpfProgram program) {
        Flow flow = DeadCode.apply(JumpNormaliser.normalise(program));
        for (int round = 0; round < 4; round++) {
            Flow next = DeadCode.apply(ValueReuse.apply(flow));
            if (next.equals(flow)) {
                break;
            }
            flow = next;
        }
        return Compilation.of(program, flow);
    }

    /** Compiles {@code program} and appends it to {@code assembler}. */
    public static EbpfEmitter.Emitted compileInto(CbpfProgram program, Assembler assembler, FragmentLayout layout) {
        return EbpfEmitter.emit(compile(program), layout, assembler);
    }
}
