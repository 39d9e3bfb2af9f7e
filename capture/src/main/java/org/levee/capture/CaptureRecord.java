package org.levee.capture;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.levee.ebpf.XdpAction;

/**
 * One packet as a capture program reports it through the ring buffer.
 *
 * <p>Record layout (machine byte order), written by {@link CaptureProgram}:
 * <pre>
 *   0  u64 kernel time (bpf_ktime_get_ns: CLOCK_MONOTONIC, nanoseconds)
 *   8  u32 original length (bpf_xdp_get_buff_len, fragments included)
 *  12  u32 captured length (min(original length, snap length))
 *  16  u32 XDP action
 *  20  u32 zero
 *  24  the captured bytes
 * </pre>
 *
 * @param monotonicNanos the kernel's CLOCK_MONOTONIC time of the capture
 * @param action         the verdict the data plane gave the packet
 * @param originalLength the packet's full length
 * @param data           the captured bytes
 */
public record CaptureRecord(long monotonicNanos, XdpAction action, int originalLength, byte[] data) {
    static final int TIME = 0;
    static final int ORIGINAL_LENGTH = 8;
    static final int CAPTURED_LENGTH = 12;
    static final int ACTION = 16;
    /** Size of the header before the packet bytes. */
    public static final int HEADER_BYTES = 24;

    public CaptureRecord {
        data = data.clone();
        if (originalLength < data.length) {
            throw new IllegalArgumentException(
                    "original length " + originalLength + " is below the " + data.length + " captured bytes");
        }
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * Decodes one ring-buffer record.
     *
     * @throws IllegalArgumentException when the record is malformed (a program other than ours
     *     wrote it), naming the field
     */
    public static CaptureRecord decode(MemorySegment record) {
        if (record.byteSize() < HEADER_BYTES) {
            throw new IllegalArgumentException("capture record of " + record.byteSize() + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        long time = record.get(JAVA_LONG_UNALIGNED, TIME);
        long original = Integer.toUnsignedLong(record.get(JAVA_INT_UNALIGNED, ORIGINAL_LENGTH));
        long captured = Integer.toUnsignedLong(record.get(JAVA_INT_UNALIGNED, CAPTURED_LENGTH));
        int action = record.get(JAVA_INT_UNALIGNED, ACTION);
        if (captured != record.byteSize() - HEADER_BYTES) {
            throw new IllegalArgumentException("capture record: captured length field says " + captured
                    + " bytes but the record holds " + (record.byteSize() - HEADER_BYTES));
        }
        if (original > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("capture record: original length " + original + " is out of range");
        }
        byte[] data = record.asSlice(HEADER_BYTES, captured).toArray(JAVA_BYTE);
        return new CaptureRecord(time, XdpAction.of(action), (int) original, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaptureRecord r
                && r.monotonicNanos == monotonicNanos
                && r.action == action
                && r.originalLength == originalLength
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(monotonicNanos) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CaptureRecord[" + ActionNames.label(action) + ", " + data.length + "/" + originalLength + " bytes at "
                + monotonicNanos + "]";
    }
}
