package org.levee.dataplane.program;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.levee.rules.Sample;

/**
 * One sample as the program writes it to the ring buffer: a fixed 32-byte header in host byte
 * order, then the first {@code captured length} bytes of the packet. Header fields, by offset:
 * {@code bpf_ktime_get_ns()} when the packet was sampled (CLOCK_MONOTONIC), the receiving
 * interface, its receive queue, the packet's length, N of "1 in N", the captured length.
 */
public final class SampleLayout {
    private SampleLayout() {}

    public static final int TIMESTAMP = 0;
    public static final int IFINDEX = 8;
    public static final int RX_QUEUE = 12;
    public static final int PACKET_LENGTH = 16;
    public static final int SAMPLE_RATE = 20;
    public static final int CAPTURED_LENGTH = 24;
    public static final int RESERVED = 28;
    /** Bytes before the packet data. */
    public static final int SIZE = 32;

    /**
     * Decodes one ring-buffer record into THE sample, copying the packet's bytes once out of the
     * shared mapping (which the record is valid in only during the ring buffer's callback).
     *
     * @param datacenter the data center to tag the sample with
     * @param node       the machine to tag it with
     * @throws IllegalArgumentException when the record is shorter than its header says
     */
    public static Sample decode(MemorySegment record, String datacenter, String node) {
        if (record.byteSize() < SIZE) {
            throw new IllegalArgumentException(
                    "sample of " + record.byteSize() + " bytes is shorter than its " + SIZE + "-byte header");
        }
        int captured = record.get(JAVA_INT_UNALIGNED, CAPTURED_LENGTH);
        if (captured < 0 || captured > record.byteSize() - SIZE) { // not SIZE + captured, which wraps near 2^31
            throw new IllegalArgumentException("sample says " + Integer.toUnsignedString(captured)
                    + " packet bytes follow its header, but the record has " + (record.byteSize() - SIZE));
        }
        long timestamp = record.get(JAVA_LONG_UNALIGNED, TIMESTAMP);
        if (timestamp < 0) { // bpf_ktime_get_ns() is nanoseconds since boot: never this large
            throw new IllegalArgumentException("sample says it was taken at " + Long.toUnsignedString(timestamp)
                    + " ns since boot, which is past 2^63");
        }
        byte[] packet = record.asSlice(SIZE, captured).toArray(JAVA_BYTE);
        // The program never writes a rate below 1 or a length below the bytes it copied; a
        // sample is valid whatever the record says.
        int wireLength = Math.max(record.get(JAVA_INT_UNALIGNED, PACKET_LENGTH), captured);
        int samplingRate = Math.max(1, record.get(JAVA_INT_UNALIGNED, SAMPLE_RATE));
        return new Sample(packet, wireLength, samplingRate, timestamp, datacenter, node);
    }
}
