package org.levee.compiler;

import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.XdpAction;
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

    public static final int XDP_DROP = XdpAction.DROP.code();
    public static final int XDP_PASS = XdpAction.PASS.code();

    public static XdpFilterProgram of(Compilation compilation) {
        Assembler asm = new Assembler();
        FragmentLayout layout = FragmentLayout.standard("f_", "match", "nomatch");
        asm.emit(Instruction.ldx(Size.W, layout.packetStart(), Register.R1, 0)); // ctx->data
        asm.emit(Instruction.ldx(Size.W, layout.packetEnd(), Register.R1, 4)); // ctx->data_end
        EbpfEmitter.Emitted fragment = EbpfEmitter.emit(compilation, layout, asm);
        // The verifier refuses unreachable code: emit only the exits some path takes.
        if (fragment.reachesNoMatch()) {
            asm.label("nomatch");
            asm.emit(Instruction.mov32(Register.R0, XDP_PASS), Instruction.exit());
        }
        if (fragment.reachesMatch()) {
            asm.label("match");
            asm.emit(Instruction.mov32(Register.R0, XDP_DROP), Instruction.exit());
        }
        return new XdpFilterProgram(asm.assemble(), fragment.instructions());
    }

    /** The instructions as the kernel takes them. */
    public byte[] encode() {
        return program.encode();
    }

    /** Loads the program into the kernel (the verifier's log is in the exception if it refuses). */
    public Program load(String name) {
        return Program.load(ProgramSpec.xdp(name, encode()));
    }

    /** The smallest packet BPF_PROG_TEST_RUN accepts for XDP (an Ethernet header). */
    public static final int MIN_TEST_RUN_BYTES = 14;

    /**
     * Runs {@code packet} once through a loaded single-filter program (BPF_PROG_TEST_RUN,
     * repeat 1) and says whether it matched (XDP_DROP).
     *
     * @throws IllegalArgumentException for packets shorter than {@link #MIN_TEST_RUN_BYTES}, which
     *     the kernel refuses to run and which never reach an XDP program
     */
    public static boolean matches(Program program, byte[] packet) {
        if (packet.length < MIN_TEST_RUN_BYTES) {
            throw new IllegalArgumentException("a " + packet.length + "-byte packet is shorter than the "
                    + MIN_TEST_RUN_BYTES + " bytes XDP test runs need");
        }
        int verdict = program.testRun(TestRun.of(packet).withDataOutCapacity(0)).returnValue();
        if (verdict != XDP_DROP && verdict != XDP_PASS) {
            throw new IllegalStateException(
                    "the filter program returned " + verdict + ", neither XDP_DROP nor XDP_PASS");
        }
        return verdict == XDP_DROP;
    }
}
