package org.levee.sflow;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A flow record of a format this module does not decode (extended switch, IPv4 data, ...), kept as its
 * bytes: the decoder keeps it so that nothing is silently lost and the encoder writes it back
 * unchanged.
 *
 * @param format its data format (enterprise and format number, see {@link SflowFormats})
 * @param data its bytes, after its format and length fields (copied in and out)
 */
public record UnknownFlowRecord(int format, byte[] data) implements FlowRecord {
    public UnknownFlowRecord {
        if (format == SflowFormats.RAW_PACKET_HEADER) {
            throw new IllegalArgumentException(
                    "flow record format " + SflowFormats.describe(format) + " is a known one: use RawPacketHeader");
        }
        data = Opaque.check("unknown flow record data", data);
    }

    /** Its bytes (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** How many bytes {@link #data()} has, without copying them. */
    public int length() {
        return data.length;
    }

    /** Writes the bytes to {@code out} without copying them first. */
    void writeData(ByteBuffer out) {
        out.put(data);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UnknownFlowRecord that && format == that.format && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return format * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return Opaque.toString("UnknownFlowRecord", format, data);
    }
}
