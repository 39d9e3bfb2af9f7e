package org.levee.sflow;

import java.nio.ByteBuffer;

/**
 * The raw packet header record a {@link SflowDecoder} is visiting, its bytes left where they are
 * in the decoded buffer: valid only during the visitor's call. Read the header through {@link
 * #buffer()} at {@link #headerOffset()} with absolute gets, or copy it out.
 */
public final class RawPacketHeaderView {
    private final FlowSampleView sample;
    ByteBuffer buffer;
    int headerProtocol;
    long frameLength;
    long stripped;
    int headerOffset;
    int headerLength;

    RawPacketHeaderView(FlowSampleView sample) {
        this.sample = sample;
    }

    /** The flow sample the record is in. */
    public FlowSampleView sample() {
        return sample;
    }

    /** What the header starts with ({@link SflowFormats#HEADER_PROTOCOL_ETHERNET}, ...). */
    public int headerProtocol() {
        return headerProtocol;
    }

    /** The packet's length before sampling (unsigned 32 bits, at least {@link #headerLength()}). */
    public long frameLength() {
        return frameLength;
    }

    /** Bytes removed before the header was taken (unsigned 32 bits). */
    public long stripped() {
        return stripped;
    }

    /**
     * The buffer being decoded (big-endian). Read it with absolute gets only: its position and
     * limit belong to the decoder's caller.
     */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Index in {@link #buffer()} of the header's first byte. */
    public int headerOffset() {
        return headerOffset;
    }

    /** How many header bytes there are. */
    public int headerLength() {
        return headerLength;
    }

    /** The header's byte at {@code index} (0 = first). */
    public byte headerByte(int index) {
        if (index < 0 || index >= headerLength) {
            throw new IndexOutOfBoundsException("header byte " + index + " of " + headerLength);
        }
        return buffer.get(headerOffset + index);
    }

    /** A new buffer over the header's bytes, sharing them (no copy). */
    public ByteBuffer header() {
        return buffer.slice(headerOffset, headerLength);
    }

    /** Copies the header into {@code destination} at {@code offset}. */
    public void copyHeader(byte[] destination, int offset) {
        buffer.get(headerOffset, destination, offset, headerLength);
    }

    /** A copy of the header. */
    public byte[] copyHeader() {
        byte[] copy = new byte[headerLength];
        copyHeader(copy, 0);
        return copy;
    }

    /** The record as a {@link RawPacketHeader} (copies the header). */
    public RawPacketHeader toRecord() {
        return new RawPacketHeader(headerProtocol, frameLength, stripped, copyHeader());
    }
}
