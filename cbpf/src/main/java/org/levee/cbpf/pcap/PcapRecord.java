package org.levee.cbpf.pcap;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One packet of a capture file.
 *
 * @param timestampNanos  when it was captured, in nanoseconds since the Unix epoch
 * @param data            the captured bytes (possibly fewer than were on the wire)
 * @param originalLength  its length on the wire, as the file records it
 * @param linkType        its link-layer header type ({@code LINKTYPE_*}, e.g. 1 for Ethernet)
 */
public record PcapRecord(long timestampNanos, byte[] data, int originalLength, int linkType) {

    public PcapRecord {
        data = data.clone();
        if (originalLength < 0) {
            throw new IllegalArgumentException("originalLength must be >= 0, got " + originalLength);
        }
    }

    /** The captured bytes (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    public int capturedLength() {
        return data.length;
    }

    /**
     * The length on the wire for a filter's {@code len}: the original length, or the captured
     * length if a writer recorded a smaller original length than it captured.
     */
    public int wireLength() {
        return Math.max(originalLength, data.length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PcapRecord that
                && timestampNanos == that.timestampNanos
                && originalLength == that.originalLength
                && linkType == that.linkType
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestampNanos) * 31 * 31 * 31
                + Arrays.hashCode(data) * 31 * 31
                + originalLength * 31
                + linkType;
    }

    @Override
    public String toString() {
        return "PcapRecord[timestampNanos=" + timestampNanos + ", originalLength=" + originalLength + ", linkType="
                + linkType + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
