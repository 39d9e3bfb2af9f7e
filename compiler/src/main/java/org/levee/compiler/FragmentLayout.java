package org.levee.compiler;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.levee.ebpf.asm.Register;

/**
 * Where a compiled filter lives inside the caller's program: the registers it may use, the stack
 * area of its scratch memory, and the labels it jumps to. A fragment calls no helpers and writes
 * no other register, so the caller keeps everything else (the context, counters, …) across it.
 *
 * @param packetStart     holds the packet's first byte (XDP {@code ctx->data}); read only
 * @param packetEnd       holds the end of the packet (XDP {@code ctx->data_end}); read only
 * @param a               cBPF's accumulator
 * @param x               cBPF's index register
 * @param pointer         packet pointer for indirect loads ({@code packetStart + X})
 * @param temp            scratch register for guards and large offsets
 * @param scratchOffset   frame-pointer offset of M[0]; M[i] is the 8 bytes at scratchOffset + 8i (a
 *                        full slot: the verifier keeps what it knows of a register spilled whole,
 *                        so X keeps its bounds through {@code stx M[i]; ldx M[i]})
 * @param labelPrefix     prefix of the fragment's own labels, unique within the program
 * @param matchLabel      where a matching packet goes
 * @param noMatchLabel    where every other packet goes
 * @param followingLabel  the label the caller puts right after the fragment (it may be either
 *                        of the two above, or null): the fragment then falls through instead of
 *                        jumping there
 */
public record FragmentLayout(
        Register packetStart,
        Register packetEnd,
        Register a,
        Register x,
        Register pointer,
        Register temp,
        int scratchOffset,
        String labelPrefix,
        String matchLabel,
        String noMatchLabel,
        String followingLabel) {

    /** Stack bytes of the scratch memory: 16 words, one 8-byte slot each. */
    public static final int SCRATCH_BYTES = 128;

    public FragmentLayout {
        Set<Register> used = EnumSet.noneOf(Register.class);
        for (Register r : new Register[] {packetStart, packetEnd, a, x, pointer, temp}) {
            Objects.requireNonNull(r, "register");
            if (r == Register.R10) {
                throw new IllegalArgumentException("r10 is the read-only frame pointer: a fragment cannot use it");
            }
            if (!used.add(r)) {
                throw new IllegalArgumentException("register " + r + " is given two roles in the fragment layout");
            }
        }
        if (scratchOffset % 8 != 0 || scratchOffset < -512 || scratchOffset + SCRATCH_BYTES > 0) {
            throw new IllegalArgumentException("scratchOffset " + scratchOffset + " must be a multiple of 8 with the "
                    + SCRATCH_BYTES + " bytes of M[0..15] inside the 512-byte stack (-512.." + -SCRATCH_BYTES + ")");
        }
        Objects.requireNonNull(labelPrefix, "labelPrefix");
        Objects.requireNonNull(matchLabel, "matchLabel");
        Objects.requireNonNull(noMatchLabel, "noMatchLabel");
    }

    /**
     * The layout the single-filter programs use: packet in r2/r3, A = r4, X = r5, pointer r6,
     * temp r7, M[] at the top of the stack, the no-match label right after the fragment.
     */
    public static FragmentLayout standard(String prefix, String matchLabel, String noMatchLabel) {
        return new FragmentLayout(
                Register.R2,
                Register.R3,
                Register.R4,
                Register.R5,
                Register.R6,
                Register.R7,
                -SCRATCH_BYTES,
                prefix,
                matchLabel,
                noMatchLabel,
                noMatchLabel);
    }

    public FragmentLayout withLabels(String prefix, String match, String noMatch, String following) {
        return new FragmentLayout(
                packetStart, packetEnd, a, x, pointer, temp, scratchOffset, prefix, match, noMatch, following);
    }
}
