package org.levee.lab;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.SortedSet;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;
import org.levee.lab.FrameField.RandomLabel;
import org.levee.lab.FrameField.RandomNumber;
import org.levee.lab.FrameField.RandomSource;
import org.levee.lab.FrameField.RandomSource6;

/**
 * Assembles the generator's XDP program for one {@link FrameRecipe}. Run with
 * {@code BPF_PROG_TEST_RUN} in live-frames mode on the template, it rewrites every random field
 * from {@code bpf_get_prandom_u32()}, fixes the IPv4 and TCP/UDP checksums and returns
 * {@code XDP_TX}, so the kernel sends the frame out of the interface named in the context. It
 * counts every frame it sends in slot 0 of a per-CPU array, so the generator's count of frames
 * offered is exact at any moment, not only after a whole test run.
 *
 * <p>Live frames are initialised from the template once per page and then recycled, so the
 * program overwrites every field each time and never reads its own earlier output, except the
 * changing words it re-reads for the checksums right after writing them.
 *
 * <p>Registers: r6 = packet start, r7 = packet end (callee-saved across helper calls), r2 the
 * current random word, r3–r5 scratch.
 */
public final class FloodProgram {
    public static final int XDP_ABORTED = XdpAction.ABORTED.code();
    public static final int XDP_TX = XdpAction.TX.code();

    private FloodProgram() {}

    /**
     * The program's instructions, kernel-encoded; {@code sentCounterFd} is a per-CPU array
     * (4-byte keys, 8-byte values) whose slot 0 counts the frames sent.
     */
    public static byte[] assemble(FrameRecipe recipe, int sentCounterFd) {
        Assembler a = new Assembler();
        a.emit(
                        ldxW(R6, R1, 0), // ctx->data
                        ldxW(R7, R1, 4), // ctx->data_end
                        mov64(R0, XDP_ABORTED),
                        mov64(R2, R6),
                        add64(R2, recipe.frameLength()))
                .jgtReg(R2, R7, "out") // not our template: send nothing
                .emit(
                        st(Size.W, R10, -4, 0),
                        mov64(R2, R10),
                        add64(R2, -4),
                        ldMapFd(R1, sentCounterFd),
                        call(Helper.MAP_LOOKUP_ELEM))
                .jeqImm(R0, 0, "counted")
                .emit(ldxDW(R1, R0, 0), add64(R1, 1), stxDW(R0, 0, R1)) // this CPU's slot: no atomics needed
                .label("counted");
        for (FrameField field : recipe.fields()) {
            switch (field) {
                case RandomNumber n -> randomNumber(a, n);
                case RandomSource s -> randomSource(a, s);
                case RandomSource6 s -> randomSource6(a, s);
                case RandomLabel l -> randomLabel(a, l);
            }
        }
        if (!recipe.isIpv6()) { // IPv6 has no header checksum
            checksum(
                    a,
                    recipe.constantIpSum(),
                    recipe.changingIpWords(),
                    Checksums.IP_OFFSET + 10,
                    false,
                    recipe.frameLength());
        }
        checksum(
                a,
                recipe.constantL4Sum(),
                recipe.changingL4Words(),
                recipe.l4ChecksumOffset(),
                recipe.isUdp(),
                recipe.frameLength());
        a.emit(mov64(R0, XDP_TX)).label("out").emit(exit());
        return a.assemble().encode();
    }

    private static void random(Assembler a) {
        a.emit(call(Helper.GET_PRANDOM_U32), mov64(R2, R0)); // r0 is a u32: the upper half is zero
    }

    private static void randomNumber(Assembler a, RandomNumber n) {
        random(a);
        long full = 1L << (8 * n.length());
        if (n.span() < full) {
            a.emit(mod64(R2, (int) n.span()), add64(R2, (int) n.min()));
        }
        store(a, n.offset(), n.length(), R2);
    }

    /** Stores the low {@code length} bytes of {@code value} big-endian at {@code offset}. */
    private static void store(Assembler a, int offset, int length, Register value) {
        switch (length) {
            case 1 -> a.emit(stxB(R6, offset, value));
            case 2 -> a.emit(toBigEndian(value, 16), stxH(R6, offset, value));
            case 4 -> a.emit(toBigEndian(value, 32), stxW(R6, offset, value));
            default -> throw new IllegalArgumentException("cannot store " + length + " bytes at offset " + offset);
        }
    }

    private static void randomSource(Assembler a, RandomSource s) {
        String done = "source" + s.offset() + "_first_byte_ok";
        random(a);
        a.emit(
                        mov64(R3, R2),
                        rsh64(R3, 24),
                        mod64(R3, 223),
                        add64(R3, 1)) // first byte 1..223: no 0/8, multicast or reserved
                .jneImm(R3, 127, done)
                .emit(mov64(R3, 126)) // no loopback
                .label(done)
                .emit(and64(R2, 0xffffff), lsh64(R3, 24), or64(R2, R3));
        for (Subnet24 spared : s.spared()) {
            String next = "source" + s.offset() + "_not_" + Integer.toHexString(spared.network());
            a.emit(mov64(R3, R2), rsh64(R3, 8))
                    .jneImm(R3, spared.network(), next)
                    .emit(xor64(R2, 0x100)) // into the neighbour /24
                    .label(next);
        }
        store(a, s.offset(), 4, R2);
    }

    /** Four random words; the first forced into 2000::/3 and out of 2001:db8::/32. */
    private static void randomSource6(Assembler a, RandomSource6 s) {
        String done = "source6_" + s.offset() + "_not_documentation";
        random(a);
        a.emit(and64(R2, 0x1fffffff), or64(R2, 0x20000000))
                .jneImm(R2, RandomSource6.DOCUMENTATION, done)
                .emit(xor64(R2, 1))
                .label(done);
        store(a, s.offset(), 4, R2);
        for (int w = 1; w < 4; w++) {
            random(a);
            store(a, s.offset() + 4 * w, 4, R2);
        }
    }

    private static void randomLabel(Assembler a, RandomLabel l) {
        for (int i = 0; i < l.length(); i++) {
            if (i % 4 == 0) {
                random(a); // one random word gives four characters
            }
            String letter = "label" + l.offset() + "_" + i;
            a.emit(mov64(R3, R2), rsh64(R3, 8 * (i % 4)), and64(R3, 0xff), mod64(R3, 36), add64(R3, 'a'))
                    .jltImm(R3, 'a' + 26, letter)
                    .emit(add64(R3, '0' - 'a' - 26))
                    .label(letter)
                    .emit(stxB(R6, l.offset() + i, R3));
        }
    }

    /**
     * r3 = constant sum + the changing words read back from the packet; folded, complemented and
     * stored at {@code at}. A UDP checksum that comes out 0 is sent as 0xffff (0 means "none").
     */
    private static void checksum(
            Assembler a, long constant, SortedSet<Integer> words, int at, boolean udp, int frameLength) {
        if (constant > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("constant checksum sum " + constant + " does not fit an immediate");
        }
        a.emit(mov64(R3, (int) constant));
        for (int word : words) {
            // An odd-length frame's last word has one byte; the missing one counts as zero.
            a.emit(word + 2 <= frameLength ? ldxH(R4, R6, word) : ldxB(R4, R6, word), add64(R3, R4));
        }
        for (int i = 0; i < 3; i++) {
            a.emit(mov64(R4, R3), rsh64(R4, 16), and64(R3, 0xffff), add64(R3, R4));
        }
        a.emit(xor64(R3, 0xffff), and64(R3, 0xffff));
        if (udp) {
            String stored = "checksum" + at;
            a.jneImm(R3, 0, stored).emit(mov64(R3, 0xffff)).label(stored);
        }
        a.emit(stxH(R6, at, R3));
    }
}
