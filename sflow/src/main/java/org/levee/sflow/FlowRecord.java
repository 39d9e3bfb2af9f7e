package org.levee.sflow;

/** One record of a flow sample: a raw packet header, or a record of a format kept as its bytes. */
public sealed interface FlowRecord permits RawPacketHeader, UnknownFlowRecord {
    /** The record's data format ({@link SflowFormats#RAW_PACKET_HEADER}, ...). */
    int format();
}
