package org.levee.sflow;

import java.nio.ByteBuffer;

/**
 * Receives the parts of a datagram from {@link SflowDecoder#decode(ByteBuffer, SflowVisitor)}, in
 * datagram order. Every method does nothing by default: implement what you need. The views are the
 * decoder's own, refilled for every datagram, sample and record: valid only during the call.
 *
 * <p>A sample reaches the visitor only once all of it has been checked: a sample that is not valid
 * gives one {@link #sampleRejected} call and none of the others.
 */
public interface SflowVisitor {
    /**
     * A datagram's header has been read. Its samples are checked after this call: if the datagram's
     * framing is wrong, {@code decode} then throws and no sample follows.
     */
    default void datagram(DatagramView datagram) {}

    /** A valid flow sample starts; its records follow, then {@link #flowSampleEnd}. */
    default void flowSample(FlowSampleView sample) {}

    /** A raw packet header record of the current flow sample. */
    default void rawPacketHeader(RawPacketHeaderView header) {}

    /**
     * Any other record of the current flow sample: its data format, and its data at {@code
     * offset}, {@code length} bytes, in {@code buffer} (read with absolute gets).
     */
    default void flowRecord(FlowSampleView sample, int format, ByteBuffer buffer, int offset, int length) {}

    /** The current flow sample's records are over. */
    default void flowSampleEnd(FlowSampleView sample) {}

    /**
     * A valid counter sample (built as a record: agents send few of them). Record formats other
     * than generic interface counters are in it as {@link UnknownCounterRecord}s.
     */
    default void counterSample(DatagramView datagram, CounterSample sample) {}

    /** A sample of a format other than flow or counter sample: its data is {@code length} bytes at {@code offset}. */
    default void unknownSample(DatagramView datagram, int format, ByteBuffer buffer, int offset, int length) {}

    /** A sample was refused; the datagram's other samples are still visited. */
    default void sampleRejected(DatagramView datagram, SflowFormatException problem) {}
}
