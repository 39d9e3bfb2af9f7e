package org.levee.dataplane.program;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One sample as the program writes it to the ring buffer: a fixed 32-byte header in host byte
 * order, then the first {@code capturedLength} bytes of the packet.
 *
 * @param timestampNanos  {@code bpf_ktime_get_ns()} when the packet was sampled (CLOCK_MONOTONIC)
 * @param ifindex         the receiving interface
 * @param rxQueue         the receive queue
 * @param packetLength    the packet's length in bytes
 * @param sampleRate      N: one packet in N was sampled
 * @param packet          the first bytes of the packet
 */
public record Sample(long timestampNanos, int ifindex, int rxQueue, int packetLength, int sampleRate, byte[] packet) {
    public static final int TIMESTAMP = 0;
    public static final int IFINDEX = 8;
    public static final int RX_QUEUE = 12;
    public static final int PACKET_LENGTH = 16;
    public static final int SAMPLE_RATE = 20;
    public static final int CAPTURED_LENGTH = 24;
    public static final int RESERVED = 28;
    /** Bytes before the packet data. */
    public static final int SIZE = 32;

    public Sample {
        packet = packet.clone();
    }

    @Override
    public byte[] packet() {
        return packet.clone();
    }

    /**
     * Decodes one ring-buffer record.
     *
     * @throws IllegalArgumentException when the record is shorter than its header says
     */
    public static Sample decode(byte[] record) {
        if (record.length < SIZE) {
            throw new IllegalArgumentException("sample of " + record.length + " bytes is shorter than its " + SIZE + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.nativeOrder());
        int captured = b.getInt(CAPTURED_LENGTH);
        if (captured < 0 || captured > record.length - SIZE) { // not SIZE + captured, which wraps near 2^31
            throw new IllegalArgumentException("sample says " + Integer.toUnsignedString(captured)
                    + " packet bytes follow its header, but the record has " + (record.length - SIZE));
        }
        return new Sample(b.getLong(TIMESTAMP), b.getInt(IFINDEX), b.getInt(RX_QUEUE), b.getInt(PACKET_LENGTH),
                b.getInt(SAMPLE_RATE), Arrays.copyOfRange(record, SIZE, SIZE + captured));
    }
}
