package org.levee.sflow;

/**
 * The numbers sFlow v5 gives its structures. A data format is a 32-bit value: a 20-bit enterprise
 * (0 = sflow.org's standard structures) above a 12-bit format number.
 */
public final class SflowFormats {
    private SflowFormats() {}

    /** Sample format: flow sample (compact source id and interfaces). */
    public static final int FLOW_SAMPLE = 1;
    /** Sample format: counter sample (compact source id). */
    public static final int COUNTER_SAMPLE = 2;
    /** Sample format: expanded flow sample (32-bit source id class and index, interface formats). */
    public static final int FLOW_SAMPLE_EXPANDED = 3;
    /** Sample format: expanded counter sample. */
    public static final int COUNTER_SAMPLE_EXPANDED = 4;

    /** Flow record format: sampled header ({@link RawPacketHeader}). */
    public static final int RAW_PACKET_HEADER = 1;
    /** Flow record format: extended switch data, which switches add to every flow sample. */
    public static final int EXTENDED_SWITCH = 1001;
    /** Counter record format: generic interface counters ({@link GenericInterfaceCounters}). */
    public static final int GENERIC_INTERFACE_COUNTERS = 1;

    /** Header protocol of a raw packet header: Ethernet (ISO 8802-3), the frame from its MAC header. */
    public static final int HEADER_PROTOCOL_ETHERNET = 1;
    /** Header protocol of a raw packet header: an IPv4 packet from its IP header. */
    public static final int HEADER_PROTOCOL_IPV4 = 11;
    /** Header protocol of a raw packet header: an IPv6 packet from its IP header. */
    public static final int HEADER_PROTOCOL_IPV6 = 12;

    /** The data format of {@code format} of {@code enterprise}. */
    public static int dataFormat(int enterprise, int format) {
        if (enterprise < 0 || enterprise > 0xfffff) {
            throw new IllegalArgumentException("enterprise " + enterprise + " is outside 0..1048575 (20 bits)");
        }
        if (format < 0 || format > 0xfff) {
            throw new IllegalArgumentException("format " + format + " is outside 0..4095 (12 bits)");
        }
        return enterprise << 12 | format;
    }

    /** The enterprise of a data format (its top 20 bits). */
    public static int enterprise(int dataFormat) {
        return dataFormat >>> 12;
    }

    /** The format number of a data format (its low 12 bits). */
    public static int number(int dataFormat) {
        return dataFormat & 0xfff;
    }

    /** {@code enterprise:format}, the way sFlow's documents and tools write a data format. */
    public static String describe(int dataFormat) {
        return enterprise(dataFormat) + ":" + number(dataFormat);
    }
}
