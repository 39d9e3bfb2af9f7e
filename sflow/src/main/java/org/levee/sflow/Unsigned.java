package org.levee.sflow;

/** Range checks of the model's unsigned 32-bit fields, held in a {@code long}. */
final class Unsigned {
    private Unsigned() {}

    static final long MAX_U32 = 0xffff_ffffL;

    /** {@code value}, if it fits XDR's unsigned int; else an error naming {@code field}. */
    static long u32(String field, long value) {
        if (value < 0 || value > MAX_U32) {
            throw new IllegalArgumentException(
                    "sFlow field '" + field + "' is " + value + ", outside an unsigned 32-bit integer's 0.." + MAX_U32);
        }
        return value;
    }
}
