package org.levee.sflow;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A flow record holding the first bytes of a sampled packet (sFlow's "sampled_header", format 1).
 *
 * @param headerProtocol what the bytes start with: {@link SflowFormats#HEADER_PROTOCOL_ETHERNET} (the
 *     frame from its MAC header), {@link SflowFormats#HEADER_PROTOCOL_IPV4}, ...
 * @param frameLength the packet's length before sampling (for Ethernet: the whole frame, which
 *     agents often count with its 4-byte FCS); unsigned 32 bits, at least the header's length
 * @param stripped bytes removed from the packet before the header was taken (e.g. the FCS: 4)
 * @param header the first bytes of the packet (copied in and out)
 */
public record RawPacketHeader(int headerProtocol, long frameLength, long stripped, byte[] header)
        implements FlowRecord {

    public RawPacketHeader {
        Unsigned.u32("frame_length", frameLength);
        Unsigned.u32("stripped", stripped);
        header = Opaque.check("raw packet header", header);
        if (header.length > frameLength) {
            throw new IllegalArgumentException(
                    "raw packet header of " + header.length + " bytes is longer than its frame_length " + frameLength);
        }
    }

    /** An Ethernet frame's first {@code header.length} bytes, {@code frameLength} bytes on the wire, nothing stripped. */
    public static RawPacketHeader ethernet(byte[] header, long frameLength) {
        return new RawPacketHeader(SflowFormats.HEADER_PROTOCOL_ETHERNET, frameLength, 0, header);
    }

    @Override
    public int format() {
        return SflowFormats.RAW_PACKET_HEADER;
    }

    /** The header bytes (a copy). */
    @Override
    public byte[] header() {
        return header.clone();
    }

    /** How many header bytes there are, without copying them. */
    public int headerLength() {
        return header.length;
    }

    /** Writes the header bytes to {@code out} without copying them first. */
    void writeHeader(ByteBuffer out) {
        out.put(header);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawPacketHeader that
                && headerProtocol == that.headerProtocol
                && frameLength == that.frameLength
                && stripped == that.stripped
                && Arrays.equals(header, that.header);
    }

    @Override
    public int hashCode() {
        return ((headerProtocol * 31 + Long.hashCode(frameLength)) * 31 + Long.hashCode(stripped)) * 31
                + Arrays.hashCode(header);
    }

    @Override
    public String toString() {
        return "RawPacketHeader[headerProtocol=" + headerProtocol + ", frameLength=" + frameLength + ", stripped="
                + stripped + ", header=" + HexFormat.of().formatHex(header) + "]";
    }
}
