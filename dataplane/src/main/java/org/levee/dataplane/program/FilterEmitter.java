package org.levee.dataplane.program;

import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.CbpfCompiler;
import org.levee.compiler.FragmentLayout;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Register;

/**
 * The one place where a rule's classic BPF becomes eBPF inside the data-plane program, through
 * the compiler module's fragments.
 *
 * <p>Registers: the packet start and end in r2/r3 (read only), A in r4, X in r5, r0 and r1 as
 * pointer and scratch; M[] in the 64 bytes below the frame pointer. A fragment calls no helpers
 * and touches no other register, so the program keeps its context, counters and packet length
 * in r6–r9 across it.
 */
final class FilterEmitter {
    private FilterEmitter() {}

    /** Frame-pointer offset of M[0]: the compiler's 16 8-byte slots at the top of the stack. */
    static final int SCRATCH = -FragmentLayout.SCRATCH_BYTES;

    /**
     * Appends {@code filter}: matching packets go to {@code match}, which the caller defines right
     * after the fragment; others jump to {@code noMatch}. Labels of the fragment start with {@code prefix}.
     *
     * @return false when no packet can match, so code at {@code match} would be unreachable
     *     (which the verifier refuses): the caller must then not emit it
     */
    static boolean emit(CbpfProgram filter, Assembler asm, String prefix, String match, String noMatch) {
        FragmentLayout layout = new FragmentLayout(Register.R2, Register.R3, Register.R4, Register.R5, Register.R0, Register.R1,
                SCRATCH, prefix, match, noMatch, match);
        return CbpfCompiler.compileInto(filter, asm, layout).reachesMatch();
    }
}
