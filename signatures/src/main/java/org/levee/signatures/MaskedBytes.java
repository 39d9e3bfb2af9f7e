package org.levee.signatures;

import static org.levee.cbpf.CbpfInstruction.*;

import java.io.ByteArrayOutputStream;

/**
 * A run of bytes to compare at X + 0, X + 1, …, each with a mask of bits that do not matter.
 * Emitted as word, half-word and byte loads: {@code (load | mask) == (value | mask)}. ORing in
 * the mask is exact per byte: 0x20 on an ASCII letter accepts exactly its two cases, 0xff
 * accepts any byte, 0 compares exactly. Loads never reach past the last byte of the run.
 */
final class MaskedBytes {
    private final ByteArrayOutputStream values = new ByteArrayOutputStream();
    private final ByteArrayOutputStream masks = new ByteArrayOutputStream();

    void add(int value, int mask) {
        values.write(value | mask);
        masks.write(mask);
    }

    /** Emits the comparisons (jumping to {@code fail} on a difference); returns the run's length. */
    int emitCompare(FilterAssembler asm, Label fail) {
        byte[] value = values.toByteArray();
        byte[] mask = masks.toByteArray();
        int offset = 0;
        while (offset < value.length) {
            int width = value.length - offset >= 4 ? 4 : value.length - offset >= 2 ? 2 : 1;
            int v = 0;
            int m = 0;
            for (int i = 0; i < width; i++) {
                v = v << 8 | (value[offset + i] & 0xff);
                m = m << 8 | (mask[offset + i] & 0xff);
            }
            asm.emit(
                    switch (width) {
                        case 4 -> ldIndW(offset);
                        case 2 -> ldIndH(offset);
                        default -> ldIndB(offset);
                    });
            if (m == (width == 4 ? -1 : (1 << 8 * width) - 1)) {
                // Every byte is a wildcard: the load only proves the bytes exist.
            } else {
                if (m != 0) {
                    asm.emit(orK(m));
                }
                asm.jump(JEQ, v, null, fail);
            }
            offset += width;
        }
        return value.length;
    }
}
