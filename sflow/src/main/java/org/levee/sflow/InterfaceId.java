package org.levee.sflow;

/**
 * The input or output interface of a flow sample: a format and a value. The compact flow sample
 * packs it into 32 bits (format in the top 2 bits, value in the other 30); the expanded one gives
 * each 32 bits (unsigned).
 *
 * @param format {@link #IF_INDEX}, {@link #DISCARDED} or {@link #MULTIPLE}
 * @param value the ifIndex (0 = unknown); the discard reason; the number of output interfaces
 *     (0x7fffffff in the expanded form, 0x3fffffff in the compact one = unknown)
 */
public record InterfaceId(int format, int value) {
    /** The value is an ifIndex; 0 means the interface is not known. */
    public static final int IF_INDEX = 0;
    /** The packet was dropped; the value is the reason (an ICMP unreachable code, or 256..). */
    public static final int DISCARDED = 1;
    /** The packet went out of several interfaces; the value is how many. */
    public static final int MULTIPLE = 2;

    /** Interface not known (format 0, value 0). */
    public static final InterfaceId UNKNOWN = new InterfaceId(IF_INDEX, 0);

    /** The interface with this ifIndex. */
    public static InterfaceId ifIndex(int ifIndex) {
        return new InterfaceId(IF_INDEX, ifIndex);
    }

    /** True if the compact flow sample can carry it: format ≤ 3 and value < 2^30. */
    public boolean fitsCompact() {
        return Integer.compareUnsigned(format, 3) <= 0 && Integer.compareUnsigned(value, 0x3fff_ffff) <= 0;
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(format) + ":" + Integer.toUnsignedString(value);
    }
}
