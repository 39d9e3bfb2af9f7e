package org.levee.capture;

import org.levee.compiler.Compilation;
import org.levee.compiler.EbpfEmitter;
import org.levee.compiler.FragmentLayout;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.JumpOp;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * Generates the XDP program placed in one slot of an xdpcap hook. The data plane tail-calls it
 * with the packet after deciding the verdict, so the verdict is a constant of the program (one
 * program per action). It:
 * <ol>
 *   <li>counts the packet as received ({@link Counters#RECEIVED});
 *   <li>runs the compiled filter fragment on the packet (no filter: every packet matches);
 *   <li>on a match counts it ({@link Counters#MATCHED}), fills this CPU's scratch entry with a
 *       {@link CaptureRecord} (kernel time, original length, captured length, action, then up to
 *       the snap length of packet bytes read with {@code bpf_xdp_load_bytes}) and copies the
 *       header plus the captured bytes into the ring buffer with {@code bpf_ringbuf_output};
 *       a failed copy or a full ring buffer counts as {@link Counters#LOST};
 *   <li>returns the action it was given: capturing never changes a verdict.
 * </ol>
 * The record is built in a map value rather than reserved in the ring buffer because a ring
 * buffer reservation has a constant size: with a 64 KiB snap length, every 60-byte packet would
 * take 64 KiB of ring. {@code bpf_ringbuf_output} takes a variable size.
 *
 * <p>Registers: r6 context, r7 this action's counters, r8 the scratch record, r9 the captured
 * length; the filter fragment gets r2 (data), r3 (data_end), r4 (A), r5 (X), r0 and r1, and its
 * scratch memory M[] at the top of the stack; the map keys live just below it. A filter that
 * matches nothing gives a program that only counts and returns the action.
 */
public final class CaptureProgram {
    private CaptureProgram() {}

    /** Largest snap length: a scratch entry per CPU holds the header and this many bytes. */
    public static final int MAX_SNAPLEN = 262_144;

    /** The filter's scratch memory M[] at the top of the stack. */
    private static final int SCRATCH_SLOT = -FragmentLayout.SCRATCH_BYTES;
    /** A 4-byte map key below M[]. */
    private static final int KEY_SLOT = SCRATCH_SLOT - 8;

    /**
     * The maps a capture program uses, by file descriptor.
     *
     * @param counters a per-CPU array, 4-byte keys (action), {@link Counters#VALUE_BYTES}-byte values
     * @param scratch  an array with one entry per possible CPU of {@link CaptureRecord#HEADER_BYTES} + snaplen bytes
     * @param ring     the ring buffer records go to
     */
    public record Maps(int counters, int scratch, int ring) {}

    /** Offsets of the three 64-bit counters in a counters value. */
    public static final class Counters {
        private Counters() {}

        public static final int RECEIVED = 0;
        public static final int MATCHED = 8;
        public static final int LOST = 16;
        public static final int VALUE_BYTES = 24;
    }

    /**
     * The program for {@code action}.
     *
     * @param filter   the compiled capture filter, or null to capture every packet
     * @param snaplen  bytes of each packet to capture, 1 … {@link #MAX_SNAPLEN}
     */
    public static AssembledProgram generate(XdpAction action, Compilation filter, int snaplen, Maps maps) {
        if (snaplen < 1 || snaplen > MAX_SNAPLEN) {
            throw new IllegalArgumentException("snaplen " + snaplen + " is outside 1.." + MAX_SNAPLEN);
        }
        Assembler asm = new Assembler();
        Register ctx = Register.R6;
        Register counters = Register.R7;
        Register record = Register.R8;
        Register captured = Register.R9;

        asm.emit(Instruction.mov64(ctx, Register.R1));
        // counters[action].received++ (per-CPU value: no atomics needed)
        asm.emit(Instruction.st(Size.W, Register.R10, KEY_SLOT, action.code()));
        lookup(asm, maps.counters());
        asm.jeqImm(Register.R0, 0, "out"); // cannot happen for an in-range array key; keep the verdict anyway
        asm.emit(Instruction.mov64(counters, Register.R0));
        increment(asm, counters, Counters.RECEIVED);

        if (filter != null) {
            FragmentLayout layout = new FragmentLayout(
                    Register.R2,
                    Register.R3,
                    Register.R4,
                    Register.R5,
                    Register.R0,
                    Register.R1,
                    SCRATCH_SLOT,
                    "filter_",
                    "match",
                    "out",
                    "match");
            asm.emit(Instruction.ldx(Size.W, layout.packetStart(), ctx, 0)); // ctx->data
            asm.emit(Instruction.ldx(Size.W, layout.packetEnd(), ctx, 4)); // ctx->data_end
            if (!EbpfEmitter.emit(filter, layout, asm).reachesMatch()) {
                // The filter matches nothing: the verifier refuses unreachable code, so no capture code.
                asm.label("out");
                asm.emit(Instruction.mov64(Register.R0, action.code()), Instruction.exit());
                return asm.assemble();
            }
        }
        asm.label("match");
        increment(asm, counters, Counters.MATCHED);

        // record = scratch[this CPU]: XDP runs with migration disabled, so the entry is ours until exit.
        asm.emit(Instruction.call(Helper.GET_SMP_PROCESSOR_ID));
        asm.emit(Instruction.stx(Size.W, Register.R10, KEY_SLOT, Register.R0));
        lookup(asm, maps.scratch());
        asm.jeqImm(Register.R0, 0, "lost");
        asm.emit(Instruction.mov64(record, Register.R0));

        asm.emit(Instruction.call(Helper.KTIME_GET_NS));
        asm.emit(Instruction.stx(Size.DW, record, CaptureRecord.TIME, Register.R0));
        asm.emit(Instruction.mov64(Register.R1, ctx));
        asm.emit(Instruction.call(Helper.XDP_GET_BUFF_LEN));
        asm.emit(Instruction.stx(Size.W, record, CaptureRecord.ORIGINAL_LENGTH, Register.R0));
        asm.emit(Instruction.mov64(captured, Register.R0));
        asm.jump(JumpOp.JLE, captured, snaplen, "clamped");
        asm.emit(Instruction.mov64(captured, snaplen));
        asm.label("clamped");
        // The verifier needs a non-zero length for the copy; XDP never sees an empty packet.
        asm.jump(JumpOp.JLT, captured, 1, "out");
        asm.emit(Instruction.stx(Size.W, record, CaptureRecord.CAPTURED_LENGTH, captured));
        asm.emit(Instruction.st(Size.W, record, CaptureRecord.ACTION, action.code()));
        asm.emit(Instruction.st(Size.W, record, CaptureRecord.ACTION + 4, 0));

        // bpf_xdp_load_bytes(ctx, 0, record + header, captured): reads fragments too.
        asm.emit(Instruction.mov64(Register.R1, ctx));
        asm.emit(Instruction.mov64(Register.R2, 0));
        asm.emit(Instruction.mov64(Register.R3, record));
        asm.emit(Instruction.add64(Register.R3, CaptureRecord.HEADER_BYTES));
        asm.emit(Instruction.mov64(Register.R4, captured));
        asm.emit(Instruction.call(Helper.XDP_LOAD_BYTES));
        asm.jneImm(Register.R0, 0, "lost");

        // bpf_ringbuf_output(ring, record, header + captured, 0)
        asm.ldMapFd(Register.R1, maps.ring());
        asm.emit(Instruction.mov64(Register.R2, record));
        asm.emit(Instruction.mov64(Register.R3, captured));
        asm.emit(Instruction.add64(Register.R3, CaptureRecord.HEADER_BYTES));
        asm.emit(Instruction.mov64(Register.R4, 0));
        asm.emit(Instruction.call(Helper.RINGBUF_OUTPUT));
        asm.jeqImm(Register.R0, 0, "out");

        asm.label("lost");
        increment(asm, counters, Counters.LOST);
        asm.label("out");
        asm.emit(Instruction.mov64(Register.R0, action.code()), Instruction.exit());
        return asm.assemble();
    }

    /** r0 = map_lookup_elem(map, r10 + KEY_SLOT). */
    private static void lookup(Assembler asm, int mapFd) {
        asm.ldMapFd(Register.R1, mapFd);
        asm.emit(Instruction.mov64(Register.R2, Register.R10));
        asm.emit(Instruction.add64(Register.R2, KEY_SLOT));
        asm.emit(Instruction.call(Helper.MAP_LOOKUP_ELEM));
    }

    /** *(u64 *)(base + offset) += 1, with r1 as scratch. */
    private static void increment(Assembler asm, Register base, int offset) {
        asm.emit(Instruction.ldx(Size.DW, Register.R1, base, offset));
        asm.emit(Instruction.add64(Register.R1, 1));
        asm.emit(Instruction.stx(Size.DW, base, offset, Register.R1));
    }
}
