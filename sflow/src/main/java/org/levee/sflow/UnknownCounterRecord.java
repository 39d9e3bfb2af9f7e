package org.levee.sflow;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A counter record of a format this module does not decode (Ethernet, processor, host counters, ...),
 * kept as its bytes: the decoder keeps it so that nothing is silently lost and the encoder writes it
 * back unchanged.
 *
 * @param format its data format (enterprise and format number, see {@link SflowFormats})
 * @param data its bytes, after its format and length fields (copied in and out)
 */
public record UnknownCounterRecord(int format, byte[] data) implements CounterRecord {
    public UnknownCounterRecord {
        if (format == SflowFormats.GENERIC_INTERFACE_COUNTERS) {
            throw new IllegalArgumentException("counter record format " + SflowFormats.describe(format)
                    + " is a known one: use GenericInterfaceCounters");
        }
        data = Opaque.check("unknown counter record data", data);
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
        return other instanceof UnknownCounterRecord that && format == that.format && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return format * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return Opaque.toString("UnknownCounterRecord", format, data);
    }
}
