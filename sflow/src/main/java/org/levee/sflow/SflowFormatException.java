package org.levee.sflow;

/**
 * Bytes that are not a valid sFlow v5 datagram, or a sample that is not valid inside one. The
 * message names the field, the byte offset (from the datagram's first byte) and what is wrong;
 * {@link #reason()} classifies it for counters.
 *
 * <p>The exception carries no stack trace: a collector under attack may build many of them, and
 * the offset and field say more than the decoder's frames would.
 */
public final class SflowFormatException extends Exception {
    /** Why bytes were refused. */
    public enum Reason {
        /** A field or fixed-size structure runs past the end of the datagram, sample or record holding it. */
        TRUNCATED,
        /** The datagram's version is not 5. */
        BAD_VERSION,
        /** The agent address type is neither 1 (IPv4) nor 2 (IPv6). */
        BAD_ADDRESS_TYPE,
        /** A sample's length runs past the end of the datagram. */
        LENGTH_PAST_END,
        /** A record's length runs past the end of its sample. */
        LENGTH_PAST_SAMPLE,
        /** A raw packet header's header length runs past the end of its record. */
        LENGTH_PAST_RECORD,
        /** A count of samples or records would need more bytes than remain. */
        COUNT_PAST_END,
        /** A flow sample's sampling rate is 0. */
        ZERO_SAMPLING_RATE,
        /** A raw packet header has more header bytes than its frame length. */
        HEADER_LONGER_THAN_FRAME,
        /** Bytes are left after the last sample of a datagram, record of a sample or field of a record. */
        TRAILING_BYTES,
    }

    private final Reason reason;
    private final int offset;
    private final String field;
    private final int sampleIndex;

    SflowFormatException(Reason reason, int offset, String field, int sampleIndex, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.offset = offset;
        this.field = field;
        this.sampleIndex = sampleIndex;
    }

    /** What kind of problem it is. */
    public Reason reason() {
        return reason;
    }

    /** Byte offset of the offending field, from the datagram's first byte. */
    public int offset() {
        return offset;
    }

    /** The offending field, by its name in the sFlow v5 specification (e.g. {@code sampling_rate}). */
    public String field() {
        return field;
    }

    /** Index of the sample the problem is in, or -1 when it is in the datagram's header or framing. */
    public int sampleIndex() {
        return sampleIndex;
    }
}
