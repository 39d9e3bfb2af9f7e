package org.levee.compiler;

import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * The single-filter XDP program of {@code levee filter run}: loads the packet pointers from the
 * context, runs one compiled fragment, and returns XDP_DROP on a match, XDP_PASS otherwise.
 *
 * @param program          the assembled program
 * @param fragmentInsns    instructions of the fragment alone (what {@code --stats} reports)
 */
public record XdpFilterProgram(AssembledProgram program, int fragmentInsns) {

    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;

    public static XdpFilterProgram of(Compilation compilation) {
        Assembler asm = new Assembler();
        FragmentLayout layout = FragmentLayout.standard("f_", "match", "nomatch");
        asm.emit(Instruction.ldx(Size.W, layout.packetStart(), Register.R1, 0)); // ctx->data
        asm.emit(Instruction.ldx(Size.W, layout.packetEnd(), Register.R1, 4)); // ctx->data_end
        int count = EbpfEmitter.emit(compilation, layout, asm);
        asm.label("nomatch");
        asm.emit(Instruction.mov32(Register.R0, XDP_PASS), Instruction.exit());
        asm.label("match");
        asm.emit(Instruction.mov32(Register.R0, XDP_DROP), Instruction.exit());
        return new XdpFilterProgram(asm.assemble(), count);
    }

    /** The instructions as the kernel takes them. */
    public byte[] encode() {
        return program.encode();
    }
}
