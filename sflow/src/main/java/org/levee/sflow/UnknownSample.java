package org.levee.sflow;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A sample of a format this module does not decode (an enterprise's own, or a standard one it does not
 * know), kept as the sample's bytes: the decoder keeps it so that nothing is silently lost and the
 * encoder writes it back unchanged.
 *
 * @param format its data format (enterprise and format number, see {@link SflowFormats})
 * @param data its bytes, after its format and length fields (copied in and out)
 */
public record UnknownSample(int format, byte[] data) implements SflowSample {
    public UnknownSample {
        if (format == SflowFormats.FLOW_SAMPLE
                || format == SflowFormats.COUNTER_SAMPLE
                || format == SflowFormats.FLOW_SAMPLE_EXPANDED
                || format == SflowFormats.COUNTER_SAMPLE_EXPANDED) {
            throw new IllegalArgumentException("sample format " + SflowFormats.describe(format)
                    + " is a known one: use FlowSample or CounterSample");
        }
        data = Opaque.check("unknown sample data", data);
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
        return other instanceof UnknownSample that && format == that.format && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return format * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return Opaque.toString("UnknownSample", format, data);
    }
}
